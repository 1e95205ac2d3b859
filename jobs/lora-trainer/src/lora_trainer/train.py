"""LoRA fine-tuning (Hugging Face transformers + PEFT) of a causal LM on an ais-distill export.

Reads the export's ``manifest.json`` (refusing one whose file hashes do not match), the train and
validation splits (Arrow), and the hyperparameters recorded by the export (base model, LoRA r /
alpha / dropout / target modules, epochs, learning rate, max length, seed); command-line options
override them. The loss is computed on the assistant turn only (prompt tokens are masked with
-100). bf16 on a GPU that supports it, fp32 on CPU.

Writes to ``--out``:
  * ``adapter/``: the LoRA adapter (``adapter_model.safetensors``, ``adapter_config.json``) and the
    tokenizer files; with a GGUF base also ``adapter-f32.gguf``, the adapter as a llama.cpp GGUF LoRA
    (:mod:`lora_trainer.gguf_adapter`), which ``python -m lora_trainer serve`` serves;
  * ``checkpoints/``: Trainer checkpoints (a rerun resumes from the last one);
  * ``metrics.json``: loss curve, evaluation loss before and after, steps/s, counts, settings.

Logs to MLflow only when ``MLFLOW_TRACKING_URI`` (or ``--mlflow-tracking-uri``) is set; mlflow is
imported only then.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

from lora_trainer.chat_template import render_chat
from lora_trainer.export import load_manifest, read_split

DEFAULT_EVAL_EXAMPLES = 32
"""Validation examples of the evaluation loss by default: each evaluation is a forward pass over
all of them, so the whole split (1,220 examples of ~1,000 tokens on the real samples: about 10 min
on 2 cores) at every evaluation would dominate a CPU run."""


def resolve_model(base_model: str, gguf_file: str | None) -> tuple[str, str | None]:
    """Splits ``dir/model.gguf`` into (dir, file name); a local path becomes absolute (it is
    recorded in the adapter config); a Hugging Face id is returned unchanged."""
    if gguf_file is None and base_model.endswith(".gguf"):
        p = Path(base_model).resolve()
        return str(p.parent), p.name
    if Path(base_model).exists():
        return str(Path(base_model).resolve()), gguf_file
    return base_model, gguf_file


def encode_example(tokenizer, messages: list[dict[str, str]]) -> dict[str, list[int]]:
    """Token ids and labels of one chat; labels are -100 on everything but the assistant turn.

    The prompt (every turn before the last, plus the assistant header) and the completion (the
    assistant content and its end-of-turn marker) are tokenized separately and concatenated, so
    the boundary is exact whatever the template.
    """
    if messages[-1]["role"] != "assistant":
        raise ValueError("the last message of an example must be the assistant's")
    prompt = render_chat(tokenizer, messages[:-1], add_generation_prompt=True)
    full = render_chat(tokenizer, messages, add_generation_prompt=False)
    if not full.startswith(prompt):
        raise ValueError("chat template does not extend the prompt with the assistant turn")
    p_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    c_ids = tokenizer(full[len(prompt):], add_special_tokens=False)["input_ids"]
    if tokenizer.eos_token_id is not None and (not c_ids or c_ids[-1] != tokenizer.eos_token_id) \
            and not getattr(tokenizer, "chat_template", None):
        c_ids = c_ids + [tokenizer.eos_token_id]
    return {"input_ids": p_ids + c_ids, "labels": [-100] * len(p_ids) + c_ids}


def encode_split(tokenizer, rows: list[dict[str, Any]], max_length: int) -> tuple[list[dict], int]:
    """Encodes rows; returns (examples, number left out for exceeding ``max_length`` tokens)."""
    out, too_long = [], 0
    for r in rows:
        e = encode_example(tokenizer, r["messages"])
        if len(e["input_ids"]) > max_length:
            too_long += 1
            continue
        out.append(e)
    return out, too_long


class Collator:
    """Pads input_ids (pad id), labels (-100) and builds the attention mask."""

    def __init__(self, pad_id: int):
        self.pad_id = pad_id

    def __call__(self, batch: list[dict[str, list[int]]]):
        import torch

        n = max(len(b["input_ids"]) for b in batch)
        ids = torch.full((len(batch), n), self.pad_id, dtype=torch.long)
        labels = torch.full((len(batch), n), -100, dtype=torch.long)
        mask = torch.zeros((len(batch), n), dtype=torch.long)
        for i, b in enumerate(batch):
            k = len(b["input_ids"])
            ids[i, :k] = torch.tensor(b["input_ids"])
            labels[i, :k] = torch.tensor(b["labels"])
            mask[i, :k] = 1
        return {"input_ids": ids, "labels": labels, "attention_mask": mask}


class ListDataset:
    """A list as a map-style torch dataset."""

    def __init__(self, items: list):
        self.items = items

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        return self.items[i]


def completion_loss(model, inputs: dict, num_items_in_batch=None):
    """Causal-LM loss on the labelled (assistant) tokens, with logits computed only from the first
    labelled position on: the same value as the model's own loss over the whole sequence (cross
    entropy of each next token, summed and divided by ``num_items_in_batch`` when given, else by the
    number of labelled tokens), without the language-model head over the prompt. For SmolLM2-135M the
    head (49,152 x 576) is a fifth of the forward FLOPs and its logits over a 1,000-token prompt are
    200 MB of fp32, which the backward pass keeps.

    Returns (loss, outputs); ``outputs.logits`` covers the kept positions only.
    """
    import torch

    labels = inputs["labels"]
    n = labels.shape[1]
    labelled = (labels != -100).any(dim=0).nonzero()
    first = int(labelled[0]) if len(labelled) else n - 1
    keep_from = max(0, first - 1)  # logits at position t predict token t + 1
    fwd = {k: v for k, v in inputs.items() if k != "labels"}
    outputs = model(**fwd, logits_to_keep=n - keep_from)
    logits = outputs.logits[:, :-1, :].float()
    targets = labels[:, keep_from + 1:].to(logits.device)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1),
                                             ignore_index=-100, reduction="sum")
    denom = num_items_in_batch if num_items_in_batch is not None else (targets != -100).sum().clamp(min=1)
    if torch.is_tensor(denom):
        denom = denom.to(loss.device)
    return loss / denom, outputs


def make_trainer_class():
    """A transformers ``Trainer`` whose loss is :func:`completion_loss` and that counts the tokens
    it trains on (``tokens_seen``: non-padding tokens of training batches, ``labelled_seen``:
    assistant tokens)."""
    from transformers import Trainer

    class CompletionTrainer(Trainer):
        tokens_seen = 0
        labelled_seen = 0

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            loss, outputs = completion_loss(model, inputs, num_items_in_batch)
            # normalised over the whole accumulated batch when the Trainer counted it
            self.loss_is_scaled_for_ga = num_items_in_batch is not None
            if model.training:
                self.tokens_seen += int(inputs["attention_mask"].sum())
                self.labelled_seen += int((inputs["labels"] != -100).sum())
            return (loss, outputs) if return_outputs else loss

    return CompletionTrainer


def load_base(base_model: str, gguf_file: str | None, dtype):
    """Loads the tokenizer and the causal LM (from a GGUF file when ``gguf_file`` is set)."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    kw = {"gguf_file": gguf_file} if gguf_file else {}
    tokenizer = AutoTokenizer.from_pretrained(base_model, **kw)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(base_model, dtype=dtype, **kw)
    if gguf_file:
        # transformers de-quantizes GGUF tensors to `dtype` on load: the weights are plain tensors,
        # but the model keeps a GGUF "quantizer" marker that makes Trainer refuse to train it.
        for attr, value in (("hf_quantizer", None), ("is_quantized", False)):
            try:
                setattr(model, attr, value)
            except AttributeError:
                pass
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
    return tokenizer, model


def lora_targets(model, wanted: list[str]) -> list[str]:
    """The wanted module names that exist in ``model`` (error when none does)."""
    names = {n.rsplit(".", 1)[-1] for n, _ in model.named_modules()}
    found = [m for m in wanted if m in names]
    if not found:
        raise ValueError(f"none of the LoRA target modules {wanted} is in the model")
    return found


def train(args: argparse.Namespace) -> dict[str, Any]:
    """Runs one training; returns the metrics written to ``metrics.json``."""
    manifest = load_manifest(args.export)  # raises ManifestError on a hash mismatch
    hp = manifest["training"]
    lora = hp["lora"]
    base_model, gguf_file = resolve_model(args.base_model or hp["base_model"], args.gguf_file)
    max_length = args.max_length or hp["max_length"]
    epochs = args.epochs if args.epochs is not None else hp["epochs"]
    lr = args.learning_rate if args.learning_rate is not None else hp["learning_rate"]
    batch_size = args.batch_size or hp["batch_size"]
    accum = args.gradient_accumulation_steps or hp["gradient_accumulation_steps"]
    seed = int(hp["seed"])

    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import TrainerCallback, TrainingArguments, set_seed

    if args.threads:
        torch.set_num_threads(args.threads)
    set_seed(seed)
    cuda = torch.cuda.is_available()
    use_bf16 = args.dtype == "bf16" or (args.dtype == "auto" and cuda and torch.cuda.is_bf16_supported())
    dtype = torch.bfloat16 if use_bf16 else torch.float32
    t0 = time.time()
    tokenizer, model = load_base(base_model, gguf_file, dtype)
    load_s = time.time() - t0

    wanted = {c.strip() for c in args.categories.split(",") if c.strip()} if args.categories else None
    keep = (lambda rows: rows) if wanted is None else (lambda rows: [r for r in rows if r["category"] in wanted])
    train_rows = keep(read_split(args.export, "train"))[: args.max_train_examples]
    val_rows = keep(read_split(args.export, "validation"))
    if args.max_eval_examples is not None and args.max_eval_examples >= 0:
        val_rows = val_rows[: args.max_eval_examples]
    train_ex, train_long = encode_split(tokenizer, train_rows, max_length)
    val_ex, val_long = encode_split(tokenizer, val_rows, max_length)
    if not train_ex:
        raise ValueError(f"no train example fits in {max_length} tokens of {base_model}")

    targets = lora_targets(model, list(lora["target_modules"]))
    lora_r, lora_alpha = args.lora_r or int(lora["r"]), args.lora_alpha or int(lora["alpha"])
    n_layers = int(getattr(model.config, "num_hidden_layers", 0) or 0)
    layers = None
    if args.lora_layers:
        if not 0 < args.lora_layers <= n_layers:
            raise ValueError(f"--lora-layers {args.lora_layers}: the model has {n_layers} layers")
        layers = list(range(n_layers - args.lora_layers, n_layers))
    model = get_peft_model(model, LoraConfig(
        r=lora_r, lora_alpha=lora_alpha,
        lora_dropout=float(lora["dropout"]), target_modules=targets, bias="none", task_type="CAUSAL_LM", layers_to_transform=layers))
    trainable, total = model.get_nb_trainable_parameters()

    steps_per_epoch = max(1, math.ceil(len(train_ex) / (batch_size * accum)))
    total_steps = args.max_steps if args.max_steps > 0 else math.ceil(steps_per_epoch * epochs)
    eval_steps = args.eval_steps or max(1, total_steps // 5)
    out = Path(args.out)
    ckpt_dir = out / "checkpoints"
    targs = TrainingArguments(
        output_dir=str(ckpt_dir), per_device_train_batch_size=batch_size, per_device_eval_batch_size=batch_size,
        gradient_accumulation_steps=accum, num_train_epochs=epochs, max_steps=args.max_steps,
        learning_rate=lr, lr_scheduler_type="cosine",
        warmup_steps=int(math.ceil(float(hp.get("warmup_ratio", 0.0)) * total_steps)),
        logging_steps=args.logging_steps, eval_strategy="steps" if val_ex else "no", eval_steps=eval_steps,
        save_strategy="steps", save_steps=args.save_steps or eval_steps, save_total_limit=2,
        bf16=use_bf16, use_cpu=not cuda, seed=seed, data_seed=seed, report_to="none",
        dataloader_num_workers=0, remove_unused_columns=False, disable_tqdm=True,
        # batches of similar lengths: less padding computed (batch size 1 is unaffected)
        train_sampling_strategy="group_by_length" if batch_size > 1 else "random")

    callbacks = []
    mlflow_run = None
    if args.mlflow_tracking_uri:
        import mlflow  # optional: only needed when a tracking URI is set

        mlflow.set_tracking_uri(args.mlflow_tracking_uri)
        mlflow_run = mlflow.start_run(run_name=f"ais-distill-{manifest['export_id']}")
        mlflow.log_params({"export_id": manifest["export_id"], "base_model": base_model, "lora_r": lora_r,
                           "lora_alpha": lora_alpha, "lora_dropout": lora["dropout"], "learning_rate": lr,
                           "epochs": epochs, "max_length": max_length, "seed": seed})

        class MlflowLog(TrainerCallback):
            """Forwards the Trainer's numeric logs to MLflow."""

            def on_log(self, _args, state, _control, logs=None, **_kw):
                nums = {k: float(v) for k, v in (logs or {}).items() if isinstance(v, (int, float))}
                if nums:
                    mlflow.log_metrics(nums, step=state.global_step)

        callbacks.append(MlflowLog())

    trainer = make_trainer_class()(model=model, args=targs, train_dataset=ListDataset(train_ex),
                      eval_dataset=ListDataset(val_ex) if val_ex else None, data_collator=Collator(tokenizer.pad_token_id),
                      processing_class=tokenizer, callbacks=callbacks)
    resume = None
    if not args.no_resume and ckpt_dir.is_dir() and any(ckpt_dir.glob("checkpoint-*")):
        resume = True
    eval_before = trainer.evaluate()["eval_loss"] if val_ex and resume is None else None
    t1 = time.time()
    result = trainer.train(resume_from_checkpoint=resume)
    train_s = time.time() - t1
    last = [h for h in trainer.state.log_history if "eval_loss" in h]
    if last and last[-1]["step"] == trainer.state.global_step:
        eval_after = last[-1]["eval_loss"]  # the Trainer has just evaluated this very state
    else:
        eval_after = trainer.evaluate()["eval_loss"] if val_ex else None

    adapter_dir = out / "adapter"
    model.save_pretrained(str(adapter_dir), safe_serialization=True)
    tokenizer.save_pretrained(str(adapter_dir))
    gguf_adapter, gguf_s = None, None
    if gguf_file and not args.no_gguf_adapter:
        from lora_trainer.gguf_adapter import GGUF_NAME, convert

        t2 = time.time()
        try:
            gguf_adapter = str(convert(adapter_dir, Path(base_model) / gguf_file, adapter_dir / GGUF_NAME))
        except ValueError as e:  # an adapter llama.cpp cannot load: the PEFT adapter is still the result
            print(f"lora_trainer: no GGUF adapter: {e}", file=sys.stderr)
        gguf_s = time.time() - t2
    losses = [{"step": h["step"], "loss": h["loss"]} for h in trainer.state.log_history if "loss" in h]
    evals = [{"step": h["step"], "eval_loss": h["eval_loss"]} for h in trainer.state.log_history if "eval_loss" in h]
    metrics = {
        "export_id": manifest["export_id"],
        "base_model": base_model, "gguf_file": gguf_file,
        "device": "cuda:" + torch.cuda.get_device_name(0) if cuda else "cpu",
        "dtype": "bf16" if use_bf16 else "fp32", "torch_threads": torch.get_num_threads(),
        "lora": {"r": lora_r, "alpha": lora_alpha,
                 "dropout": float(lora["dropout"]), "target_modules": targets,
                 "layers": f"{layers[0]}-{layers[-1]} of {n_layers}" if layers else f"all {n_layers}"},
        "trainable_parameters": trainable, "total_parameters": total,
        "learning_rate": lr, "epochs": epochs, "batch_size": batch_size, "gradient_accumulation_steps": accum,
        "max_length": max_length, "seed": seed, "categories": sorted(wanted) if wanted else "all",
        "train_examples": len(train_ex), "validation_examples": len(val_ex),
        "too_long_for_base_tokenizer": {"train": train_long, "validation": val_long},
        "resumed": bool(resume), "global_step": result.global_step,
        "train_loss_mean": result.training_loss, "loss_curve": losses, "eval_curve": evals,
        "eval_loss_before": eval_before, "eval_loss_after": eval_after,
        "train_seconds": train_s, "model_load_seconds": load_s,
        "steps_per_second": result.metrics.get("train_steps_per_second"),
        "train_tokens": trainer.tokens_seen, "train_labelled_tokens": trainer.labelled_seen,
        "train_tokens_per_second": trainer.tokens_seen / train_s if train_s > 0 else None,
        "peak_gpu_memory_bytes": torch.cuda.max_memory_allocated() if cuda else None,
        "gguf_adapter": gguf_adapter, "gguf_adapter_seconds": gguf_s,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    if mlflow_run is not None:
        import mlflow

        mlflow.log_metrics({k: v for k, v in metrics.items() if isinstance(v, float)})
        mlflow.log_artifact(str(out / "metrics.json"))
        mlflow.end_run()
    return metrics
