"""Command line: ``python -m lora_trainer {train,verify} ...``."""

import sys

from lora_trainer.train import main

if __name__ == "__main__":
    sys.exit(main())
