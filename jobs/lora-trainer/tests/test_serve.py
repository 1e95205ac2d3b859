"""Serving a training output: real llama-cpp-python server processes on 127.0.0.1, no mocks.

Trains a tiny LoRA on the export (stories260K, seconds), serves it with
``python -m lora_trainer serve`` and checks over HTTP that

  * the student's greedy completion equals what the PEFT model generates in transformers for the same
    chat (so the GGUF conversion, the Llama q/k row permutation and the chat template are right), and
    the base alias equals the plain base model;
  * the prompt is tokenized as in training (``usage.prompt_tokens`` = the trainer's prompt length);
  * a B = 0 adapter served as the student answers exactly as the base.

Needs ``requirements-serve.txt`` installed in the venv: without ``llama_cpp`` these tests fail (they
are marked ``serve``; ``-m "not serve"`` deselects them).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from lora_trainer.chat_template import CHATML_TEMPLATE, render_chat
from lora_trainer.cli import parse_args
from lora_trainer.train import resolve_model, train

pytestmark = pytest.mark.serve

SRC = Path(__file__).resolve().parents[1] / "src"
STEPS = int(os.environ.get("AIS_DISTILL_SERVE_TEST_STEPS", "20"))
NEW_TOKENS = 32
N_PROMPTS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http(url: str, body: dict | None = None, timeout: float = 60) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read())


@contextlib.contextmanager
def served(train_out: Path, log: Path):
    """Runs ``python -m lora_trainer serve`` on a free port; yields the base URL (``.../v1``)."""
    import llama_cpp  # noqa: F401  -- fail (not skip) here when requirements-serve.txt is missing

    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(SRC))
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "lora_trainer", "serve", "--train-out", str(train_out),
                                 "--port", str(port), "--threads", "1"], stdout=err, stderr=err, env=env)
        url = f"http://127.0.0.1:{port}/v1"
        try:
            t0 = time.time()
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
                try:
                    models = _http(url + "/models", timeout=2)
                    break
                except OSError:
                    if time.time() - t0 > 120:
                        raise
                    time.sleep(0.2)
            print(f"\nserver up in {time.time() - t0:.1f} s: {[m['id'] for m in models['data']]}")
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _chat(url: str, model: str, messages: list[dict]) -> dict:
    return _http(url + "/chat/completions", {"model": model, "messages": messages, "max_tokens": NEW_TOKENS,
                                             "temperature": 0})


@pytest.fixture(scope="module")
def trained(export_dir, base_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("serve-lora")
    metrics = train(parse_args([
        "train", "--export", str(export_dir), "--out", str(out), "--base-model", base_model,
        "--max-steps", str(STEPS), "--learning-rate", "3e-3", "--batch-size", "1", "--gradient-accumulation-steps",
        "1", "--max-length", "8192", "--lora-r", "8", "--max-train-examples", "200", "--max-eval-examples", "2",
        "--eval-steps", str(STEPS), "--save-steps", str(STEPS)]))
    return out, metrics


@pytest.fixture(scope="module")
def prompts(export_dir):
    from lora_trainer.export import read_split

    return [r["messages"][:-1] for r in read_split(export_dir, "validation")[:N_PROMPTS]]


@pytest.fixture(scope="module")
def reference(trained, base_model, prompts):
    """Greedy completions of transformers: base and PEFT student, texts cut at the stop text."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    out, _ = trained
    name, gguf = resolve_model(base_model, None)
    tok = AutoTokenizer.from_pretrained(str(out / "adapter"))
    model = AutoModelForCausalLM.from_pretrained(name, gguf_file=gguf, dtype=torch.float32)
    model = PeftModel.from_pretrained(model, str(out / "adapter"))
    model.eval()
    gen = dict(max_new_tokens=NEW_TOKENS, do_sample=False, pad_token_id=tok.pad_token_id)
    ref = {"base": [], "student": [], "prompt_tokens": []}
    for messages in prompts:
        ids = tok(render_chat(tok, messages, add_generation_prompt=True), return_tensors="pt",
                  add_special_tokens=False)["input_ids"]
        ref["prompt_tokens"].append(ids.shape[1])
        with torch.no_grad():
            student = model.generate(ids, **gen)[0, ids.shape[1]:]
            with model.disable_adapter():
                base = model.generate(ids, **gen)[0, ids.shape[1]:]
        prompt_text = tok.decode(ids[0], skip_special_tokens=True)
        for key, t in (("base", base), ("student", student)):
            # decoded in context: a lone SentencePiece sequence loses its leading space when decoded
            full = tok.decode(torch.cat([ids[0], t]), skip_special_tokens=True)
            assert full.startswith(prompt_text)
            ref[key].append(full[len(prompt_text):].split("<|im_end|>")[0])
    assert ref["base"] != ref["student"], "the tiny training did not change greedy outputs: nothing to test"
    return ref


def test_train_writes_gguf_adapter(trained):
    out, m = trained
    assert m["gguf_adapter"] == str(out / "adapter" / "adapter-f32.gguf")
    from gguf import GGUFReader

    r = GGUFReader(m["gguf_adapter"])
    assert r.fields["general.type"].contents() == "adapter"
    assert r.fields["adapter.type"].contents() == "lora"
    names = {t.name for t in r.tensors}
    assert "blk.0.attn_q.weight.lora_a" in names and "blk.0.attn_q.weight.lora_b" in names


def test_chatml_template_renders_like_the_trainer(prompts, trained):
    """llama-cpp-python's Jinja renderer with CHATML_TEMPLATE = render_chat's ChatML fallback."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(trained[0] / "adapter"))
    assert not getattr(tok, "chat_template", None)  # stories260K: the trainer used its ChatML fallback
    fmt = Jinja2ChatFormatter(CHATML_TEMPLATE, eos_token="<|im_end|>", bos_token="<s>")
    for messages in prompts + [[{"role": "user", "content": "no system turn"}]]:
        assert fmt(messages=messages).prompt == render_chat(tok, messages, add_generation_prompt=True)


def test_served_base_and_student_match_transformers(trained, prompts, reference, tmp_path):
    out, _ = trained
    with served(out, tmp_path / "server.log") as url:
        assert {m["id"] for m in _http(url + "/models")["data"]} == {"base", "student"}
        got = {"base": [], "student": []}
        for alias in ("base", "student"):  # grouped by alias: the server holds one model at a time
            for i, messages in enumerate(prompts):
                t0 = time.time()
                r = _chat(url, alias, messages)
                dt = time.time() - t0
                got[alias].append(r["choices"][0]["message"]["content"])
                u = r["usage"]
                assert u["prompt_tokens"] == reference["prompt_tokens"][i], "prompt tokenized unlike training"
                assert 0 < u["completion_tokens"] <= NEW_TOKENS
                assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
                print(f"{alias}[{i}] {dt * 1000:.0f} ms, {u}: {got[alias][-1][:60]!r}")
    assert got["base"] == reference["base"]
    assert got["student"] == reference["student"]


def test_zero_adapter_student_equals_base(trained, prompts, reference, tmp_path):
    """A LoRA with B = 0 served as the student answers exactly like the base."""
    import torch
    from safetensors.torch import load_file, save_file

    out, _ = trained
    zero = tmp_path / "zero"
    shutil.copytree(out / "adapter", zero / "adapter", ignore=shutil.ignore_patterns("*.gguf"))
    shutil.copy(out / "metrics.json", zero / "metrics.json")
    w = load_file(str(zero / "adapter" / "adapter_model.safetensors"))
    save_file({k: torch.zeros_like(v) if ".lora_B." in k else v for k, v in w.items()},
              str(zero / "adapter" / "adapter_model.safetensors"))
    with served(zero, tmp_path / "server.log") as url:
        student = [_chat(url, "student", m)["choices"][0]["message"]["content"] for m in prompts]
        base = [_chat(url, "base", m)["choices"][0]["message"]["content"] for m in prompts]
    assert student == base == reference["base"]
