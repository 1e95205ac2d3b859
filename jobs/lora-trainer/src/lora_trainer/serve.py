"""Serves a training output over an OpenAI-compatible HTTP API (llama-cpp-python's server).

``python -m lora_trainer serve --train-out OUT`` writes ``OUT/serve/llama-server.json`` (a
llama-cpp-python ``--config_file``: the base GGUF as alias ``base``, the same GGUF plus the GGUF
LoRA adapter as alias ``student``) and ``OUT/serve/chat-template.json`` (the chat template the
trainer trained with), then replaces itself with the server (:mod:`lora_trainer.llama_server`),
which logs to stderr and answers ``POST /v1/chat/completions``, ``GET /v1/models``.

Prompt fidelity: the server renders chats with the trainer's template (the tokenizer's own chat
template, or the trainer's ChatML fallback :data:`lora_trainer.chat_template.CHATML_TEMPLATE`), tokenizes
the text without adding BOS (as the trainer does: ``add_special_tokens=False``) and stops at the
template's end-of-turn text (``<|im_end|>`` for ChatML, else the tokenizer's EOS).

Greedy decoding: llama-cpp-python's server applies ``repeat_penalty`` (default 1.1) before the
greedy sampler even at ``temperature: 0``; the config sets ``last_n_tokens_size: 0``, which turns
all repetition/frequency/presence penalties off, so ``temperature: 0`` is plain argmax decoding.

The server keeps one model in memory and swaps when a request names the other alias (about a
second for a small GGUF); send requests grouped by alias.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from lora_trainer.chat_template import chat_template_spec
from lora_trainer.gguf_adapter import GGUF_NAME, convert
from lora_trainer.llama_server import CHAT_FORMAT


DEFAULT_N_CTX = 8192
"""Default context size (tokens) of the served models."""

GGML_TYPES = {"f32": 0, "f16": 1}
"""ggml type ids for the KV cache (llama-cpp-python ``type_k`` / ``type_v``)."""


def base_gguf_of(train_out: Path) -> Path:
    """The base GGUF file recorded in ``train_out/metrics.json`` (error if the base was not a GGUF)."""
    metrics_path = Path(train_out) / "metrics.json"
    if not metrics_path.is_file():
        raise FileNotFoundError(f"{metrics_path} not found: not a training output directory")
    m = json.loads(metrics_path.read_text(encoding="utf-8"))
    if not m.get("gguf_file"):
        raise ValueError(f"the base model {m.get('base_model')} is not a GGUF file: pass --base-model FILE.gguf")
    p = Path(m["base_model"]) / m["gguf_file"]
    if not p.is_file():
        raise FileNotFoundError(f"base model {p} (recorded in {metrics_path}) not found: pass --base-model")
    return p


def gguf_adapter(train_out: Path, base_model: Path | None = None, out: Path | None = None,
                 force: bool = False) -> Path:
    """Converts ``OUT/adapter`` to ``out`` (default ``OUT/adapter/adapter-f32.gguf``) unless that is
    newer than the PEFT weights (or ``force``); returns the GGUF path."""
    adapter = Path(train_out) / "adapter"
    out = Path(out) if out else adapter / GGUF_NAME
    src = adapter / "adapter_model.safetensors"
    if force or not out.is_file() or out.stat().st_mtime < src.stat().st_mtime:
        convert(adapter, base_model or base_gguf_of(train_out), out)
    return out


def write_config(train_out: Path, base_model: Path | None = None, host: str = "127.0.0.1", port: int = 8080,
                 base_alias: str = "base", student_alias: str = "student", n_ctx: int | None = None,
                 threads: int | None = None, kv_cache_type: str = "f32") -> tuple[Path, Path]:
    """Writes ``OUT/serve/llama-server.json`` and ``OUT/serve/chat-template.json``; returns both paths.

    ``n_ctx`` (tokens) defaults to :data:`DEFAULT_N_CTX` or the trainer's ``max_length``
    (metrics.json) if larger: evaluation prompts were not filtered by the base tokenizer's length
    (ais-distill prompts are ~4,400 stories260K tokens); a longer request gets HTTP 400
    ``context_length_exceeded``. ``kv_cache_type``
    (``f32`` or ``f16``): f32 keeps the server's logits within ~1e-5 of transformers' fp32 ones
    (llama.cpp's default f16 cache: ~2e-2 on stories260K, enough to flip near-tied greedy choices).
    """
    train_out = Path(train_out).resolve()
    base = Path(base_model).resolve() if base_model else base_gguf_of(train_out)
    lora = gguf_adapter(train_out, base)
    recorded = json.loads((train_out / "metrics.json").read_text(encoding="utf-8")).get("max_length") or 0
    n_ctx = n_ctx or max(recorded, DEFAULT_N_CTX)
    threads = threads or max(1, (os.cpu_count() or 2) // 2)
    kv_type = GGML_TYPES[kv_cache_type]
    common = {"model": str(base), "chat_format": CHAT_FORMAT, "n_ctx": n_ctx, "n_threads": threads,
              "n_threads_batch": threads, "last_n_tokens_size": 0, "type_k": kv_type, "type_v": kv_type,
              "seed": 0, "verbose": True}
    cfg = {"host": host, "port": port, "models": [
        {**common, "model_alias": base_alias},
        {**common, "model_alias": student_alias, "lora_path": str(lora)},
    ]}
    d = train_out / "serve"
    d.mkdir(parents=True, exist_ok=True)
    cfg_path, tpl_path = d / "llama-server.json", d / "chat-template.json"
    cfg_path.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    tpl_path.write_text(json.dumps(chat_template_spec(train_out / "adapter"), indent=2) + "\n", encoding="utf-8")
    return cfg_path, tpl_path


def server_command(cfg_path: Path, tpl_path: Path) -> list[str]:
    """The server's command line (this Python, :mod:`lora_trainer.llama_server`)."""
    return [sys.executable, "-m", "lora_trainer.llama_server", "--chat-template", str(tpl_path),
            "--config_file", str(cfg_path)]


def serve(args) -> int:
    """``serve`` subcommand: writes the config, then execs the server (or prints it with --dry-run)."""
    cfg, tpl = write_config(args.train_out, args.base_model, args.host, args.port, args.base_alias,
                            args.student_alias, args.n_ctx, args.threads, args.kv_cache_type)
    cmd = server_command(cfg, tpl)
    print(f"lora_trainer: serving {args.base_alias!r} and {args.student_alias!r} on http://{args.host}:{args.port}/v1 "
          f"(config {cfg})", file=sys.stderr)
    if args.dry_run:
        print(" ".join(cmd))
        return 0
    sys.stderr.flush()
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    os.execve(shutil.which(cmd[0]) or cmd[0], cmd, env)
    return 0  # not reached
