"""The trainer's completion-only loss equals the model's own causal-LM loss, on a real model."""

from __future__ import annotations

import pytest

from lora_trainer.export import read_split
from lora_trainer.train import Collator, completion_loss, encode_example, load_base, resolve_model


@pytest.fixture(scope="module")
def model_and_batch(export_dir, base_model):
    import torch

    name, gguf = resolve_model(base_model, None)
    tok, model = load_base(name, gguf, torch.float32)
    model.eval()
    rows = read_split(export_dir, "train")[:3]
    batch = Collator(tok.pad_token_id)([encode_example(tok, r["messages"]) for r in rows])
    return model, batch


def test_completion_loss_equals_the_models_loss(model_and_batch):
    import torch

    model, batch = model_and_batch
    with torch.no_grad():
        full = model(**batch).loss  # logits over every position, mean over the labelled tokens
        ours, out = completion_loss(model, batch)
    assert torch.isclose(ours, full, rtol=1e-5, atol=1e-6), (float(ours), float(full))
    first = int((batch["labels"] != -100).any(dim=0).nonzero()[0])
    # logits only from the position before the first labelled token
    assert out.logits.shape[1] == batch["input_ids"].shape[1] - (first - 1)
    assert out.logits.shape[1] < batch["input_ids"].shape[1] / 2, "the prompt is most of each example"


def test_completion_loss_divides_by_the_accumulated_count(model_and_batch):
    import torch

    model, batch = model_and_batch
    labelled = int((batch["labels"][:, 1:] != -100).sum())
    with torch.no_grad():
        mean, _ = completion_loss(model, batch)
        summed, _ = completion_loss(model, batch, num_items_in_batch=torch.tensor(labelled * 4))
    assert torch.isclose(summed * 4, mean, rtol=1e-5), (float(summed), float(mean))
