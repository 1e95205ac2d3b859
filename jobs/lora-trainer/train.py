"""Script entry point of the LoRA trainer for runners that take a file, not a module
(a Databricks ``spark_python_task``): ``python train.py --export DIR --out DIR [options]``.

Equivalent to ``python -m lora_trainer train ...`` with ``src/`` on the path.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from lora_trainer.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
