"""Command line of the LoRA trainer: ``python -m lora_trainer {train,verify,gguf-adapter,serve} ...``
(:mod:`lora_trainer.__main__`, the script ``jobs/lora-trainer/train.py``).

Parses the arguments and dispatches: ``train`` to :mod:`lora_trainer.train`, ``gguf-adapter`` and
``serve`` to :mod:`lora_trainer.serve` (imported only for those), ``verify`` to
:mod:`lora_trainer.export`. Nothing else in the package imports this module.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from lora_trainer import train as train_module
from lora_trainer.export import ManifestError, load_manifest
from lora_trainer.train import DEFAULT_EVAL_EXAMPLES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parses the command line (``train``, ``verify``, ``gguf-adapter`` or ``serve`` subcommand)."""
    p = argparse.ArgumentParser(prog="python -m lora_trainer", description=train_module.__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="check an export against its manifest and print its counts")
    v.add_argument("--export", required=True, type=Path)
    t = sub.add_parser("train", help="LoRA fine-tuning on an export")
    t.add_argument("--export", required=True, type=Path, help="export directory (manifest.json)")
    t.add_argument("--out", required=True, type=Path, help="output directory")
    t.add_argument("--base-model", help="HF id, local directory or .gguf file (default: the manifest's)")
    t.add_argument("--gguf-file", help="GGUF file name inside --base-model (set from a .gguf path)")
    t.add_argument("--max-steps", type=int, default=-1, help="stop after this many optimizer steps")
    t.add_argument("--epochs", type=float, help="override the manifest's epochs")
    t.add_argument("--learning-rate", type=float, help="override the manifest's learning rate")
    t.add_argument("--batch-size", type=int, help="override the manifest's batch size")
    t.add_argument("--gradient-accumulation-steps", type=int, help="override the manifest's value")
    t.add_argument("--max-length", type=int, help="override the manifest's max length (tokens)")
    t.add_argument("--lora-r", type=int, help="override the manifest's LoRA rank")
    t.add_argument("--lora-alpha", type=int, help="override the manifest's LoRA alpha (scaling = alpha / r)")
    t.add_argument("--lora-layers", type=int,
                   help="adapt only the last N transformer layers (default and 0: all): the backward pass then stops "
                        "at the lowest adapted layer, so a step costs about (L + N) / 2L of a full one")
    t.add_argument("--max-train-examples", type=int, help="use the first N train examples only")
    t.add_argument("--categories", help="comma-separated categories to train (and evaluate the loss) on; default all")
    t.add_argument("--max-eval-examples", type=int, default=DEFAULT_EVAL_EXAMPLES,
                   help=f"evaluation loss on the first N validation examples (default {DEFAULT_EVAL_EXAMPLES}; "
                        "0 = no evaluation; -1 = the whole split)")
    t.add_argument("--eval-steps", type=int, help="evaluate every N steps (default: 5 times a run)")
    t.add_argument("--save-steps", type=int, help="checkpoint every N steps (default: eval steps)")
    t.add_argument("--logging-steps", type=int, default=1)
    t.add_argument("--dtype", choices=["auto", "bf16", "fp32"], default="auto",
                   help="auto: bf16 on a GPU with bf16, else fp32")
    t.add_argument("--no-resume", action="store_true", help="ignore checkpoints in --out")
    t.add_argument("--mlflow-tracking-uri", default=os.environ.get("MLFLOW_TRACKING_URI"))
    t.add_argument("--threads", type=int, help="torch CPU threads")
    t.add_argument("--no-gguf-adapter", action="store_true",
                   help="do not convert the adapter to OUT/adapter/adapter-f32.gguf (done when the base is a GGUF)")
    g = sub.add_parser("gguf-adapter", help="convert a training output's PEFT adapter to a GGUF LoRA (llama.cpp)")
    g.add_argument("--train-out", required=True, type=Path, help="output directory of train")
    g.add_argument("--base-model", type=Path, help="base .gguf (default: the one recorded in metrics.json)")
    g.add_argument("--out", type=Path, help="output file (default: TRAIN_OUT/adapter/adapter-f32.gguf)")
    s = sub.add_parser("serve", help="serve base + student (base + LoRA) over an OpenAI-compatible API "
                                     "(llama-cpp-python server, in the foreground)")
    s.add_argument("--train-out", required=True, type=Path, help="output directory of train")
    s.add_argument("--base-model", type=Path, help="base .gguf (default: the one recorded in metrics.json)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--base-alias", default="base", help="model name of the base model in requests")
    s.add_argument("--student-alias", default="student", help="model name of base + adapter in requests")
    s.add_argument("--n-ctx", type=int, help="context size in tokens (default: 8192, or the training max length if larger)")
    s.add_argument("--threads", type=int, help="CPU threads (default: half the cores)")
    s.add_argument("--kv-cache-type", choices=["f32", "f16"], default="f32",
                   help="KV cache precision: f32 (default) reproduces transformers' fp32 greedy outputs; f16 halves its memory")
    s.add_argument("--dry-run", action="store_true", help="write the config and print the server command only")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status (1 with a one-line reason on stderr on failure)."""
    args = parse_args(argv)
    try:
        if args.command == "verify":
            m = load_manifest(args.export)
            print(json.dumps({"export_id": m["export_id"], "counts": m["counts"]["splits"]}, indent=2))
            return 0
        if args.command == "gguf-adapter":
            from lora_trainer.serve import gguf_adapter

            print(gguf_adapter(args.train_out, args.base_model, out=args.out, force=True))
            return 0
        if args.command == "serve":
            from lora_trainer.serve import serve

            return serve(args)
        m = train_module.train(args)
        curve = m["loss_curve"]   # empty when the run is shorter than --logging-steps
        loss = (f"loss {curve[0]['loss']:.4f} -> {curve[-1]['loss']:.4f}" if curve
                else f"mean loss {m['train_loss_mean']:.4f}")
        print(f"lora_trainer: {m['global_step']} steps, {loss}, eval {m['eval_loss_before']} -> "
              f"{m['eval_loss_after']}, adapter in {Path(args.out) / 'adapter'}")
        return 0
    except (ManifestError, ValueError, FileNotFoundError) as e:
        print(f"lora_trainer: error: {e}", file=sys.stderr)
        return 1
