"""LoRA fine-tuning of the ais-distill student on an export written by ``ais-distill export``.

Modules:
  * :mod:`lora_trainer.export` -- reads and verifies an export directory (manifest.json, JSONL,
    Arrow, Parquet): the Python side of the Java/Python hand-off contract.
  * :mod:`lora_trainer.chat_template` -- chat rendering shared by the trainer and the server.
  * :mod:`lora_trainer.train` -- the trainer (Hugging Face transformers + PEFT).
  * :mod:`lora_trainer.serve` -- serves a training output (llama-cpp-python server,
    :mod:`lora_trainer.llama_server`; GGUF LoRA by :mod:`lora_trainer.gguf_adapter`).
  * :mod:`lora_trainer.cli` -- the command line (``python -m lora_trainer``); imports the
    modules above, none of which imports it.

Run ``python -m lora_trainer train --export DIR --out DIR`` (what ``bin/ais-distill train`` does).
"""

__version__ = "0.1.0"
