"""A real LoRA run on CPU: a small real pretrained causal LM, a few dozen steps on the export."""

from __future__ import annotations

import json
import os

import pytest

from lora_trainer.chat_template import render_chat
from lora_trainer.cli import main, parse_args
from lora_trainer.train import resolve_model, train

STEPS = int(os.environ.get("AIS_DISTILL_TEST_STEPS", "30"))


def _args(export_dir, out, base_model, steps):
    return parse_args(["train", "--export", str(export_dir), "--out", str(out), "--base-model", base_model,
                       "--max-steps", str(steps), "--learning-rate", "3e-3", "--batch-size", "1",
                       "--gradient-accumulation-steps", "1", "--max-length", "8192", "--lora-r", "8",
                       "--max-train-examples", "400", "--max-eval-examples", "4", "--eval-steps", "15",
                       "--save-steps", "15", "--logging-steps", "1"])


@pytest.fixture(scope="module")
def run(export_dir, base_model, tmp_path_factory):
    out = tmp_path_factory.mktemp("lora")
    metrics = train(_args(export_dir, out, base_model, STEPS))
    return out, metrics


def test_training_loss_falls(run):
    _, m = run
    losses = [x["loss"] for x in m["loss_curve"]]
    assert m["global_step"] == STEPS and len(losses) >= STEPS
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < first, (first, last)
    assert m["eval_loss_after"] < m["eval_loss_before"]
    print(f"\nloss {first:.3f} -> {last:.3f}; eval {m['eval_loss_before']:.3f} -> {m['eval_loss_after']:.3f}; "
          f"{m['steps_per_second']:.2f} steps/s on {m['device']} ({m['torch_threads']} threads)")


def test_outputs_are_written(run):
    out, m = run
    adapter = out / "adapter"
    assert (adapter / "adapter_model.safetensors").stat().st_size > 0
    assert json.loads((adapter / "adapter_config.json").read_text())["r"] == 8
    assert any((adapter / f).exists() for f in ("tokenizer.json", "tokenizer.model", "tokenizer_config.json"))
    assert json.loads((out / "metrics.json").read_text())["global_step"] == m["global_step"]
    assert list((out / "checkpoints").glob("checkpoint-*"))


def test_adapter_reloads_and_changes_generation(run, export_dir, base_model):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from lora_trainer.export import read_split

    out, _ = run
    name, gguf = resolve_model(base_model, None)
    kw = {"gguf_file": gguf} if gguf else {}
    tok = AutoTokenizer.from_pretrained(str(out / "adapter"))
    base = AutoModelForCausalLM.from_pretrained(name, dtype=torch.float32, **kw)
    row = read_split(export_dir, "validation")[0]
    prompt = render_chat(tok, row["messages"][:-1], add_generation_prompt=True)
    ids = tok(prompt, return_tensors="pt", add_special_tokens=False)["input_ids"]
    gen = dict(max_new_tokens=24, do_sample=False, pad_token_id=tok.pad_token_id)
    with torch.no_grad():
        base_out = base.generate(ids, **gen)[0, ids.shape[1]:].tolist()
        tuned = PeftModel.from_pretrained(base, str(out / "adapter"))
        tuned.eval()
        tuned_out = tuned.generate(ids, **gen)[0, ids.shape[1]:].tolist()
    assert tuned_out != base_out, tok.decode(base_out)
    print("\nbase :", tok.decode(base_out)[:80].replace("\n", " "), "\ntuned:", tok.decode(tuned_out)[:80].replace("\n", " "))


def test_rerun_resumes_from_checkpoint(run, export_dir, base_model):
    out, _ = run
    m = train(_args(export_dir, out, base_model, STEPS + 3))
    assert m["resumed"] and m["global_step"] == STEPS + 3


def test_cli_verify(export_dir, capsys):
    assert main(["verify", "--export", str(export_dir)]) == 0
    assert "export_id" in capsys.readouterr().out


def test_cli_train_shorter_than_logging_steps(export_dir, base_model, tmp_path, capsys):
    """A run of fewer steps than --logging-steps logs no loss point (bench/distill's 3-step probe
    once crashed on the empty loss curve); the CLI still exits 0 and reports the mean loss."""
    argv = ["train", "--export", str(export_dir), "--out", str(tmp_path), "--base-model", base_model,
            "--max-steps", "2", "--logging-steps", "10", "--batch-size", "1", "--gradient-accumulation-steps", "1",
            "--max-length", "8192", "--max-train-examples", "8", "--max-eval-examples", "0", "--no-gguf-adapter"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "lora_trainer: 2 steps, mean loss " in out, out
    assert json.loads((tmp_path / "metrics.json").read_text())["loss_curve"] == []


def test_cli_lora_layers_zero_adapts_all(export_dir, base_model, tmp_path):
    """--lora-layers 0 means every layer (bench/distill passes its --lora-layers through as is)."""
    argv = ["train", "--export", str(export_dir), "--out", str(tmp_path), "--base-model", base_model,
            "--max-steps", "1", "--lora-layers", "0", "--batch-size", "1", "--gradient-accumulation-steps", "1",
            "--max-length", "8192", "--max-train-examples", "4", "--max-eval-examples", "0", "--no-gguf-adapter"]
    assert main(argv) == 0
    assert json.loads((tmp_path / "metrics.json").read_text())["lora"]["layers"].startswith("all ")
