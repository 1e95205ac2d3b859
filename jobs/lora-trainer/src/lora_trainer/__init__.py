"""LoRA fine-tuning of the ais-distill student on an export written by ``ais-distill export``.

Modules:
  * :mod:`lora_trainer.export` -- reads and verifies an export directory (manifest.json, JSONL,
    Arrow, Parquet): the Python side of the Java/Python hand-off contract.
  * :mod:`lora_trainer.train` -- the trainer (Hugging Face transformers + PEFT).

Run ``python -m lora_trainer train --export DIR --out DIR`` (what ``bin/ais-distill train`` does).
"""

__version__ = "0.1.0"
