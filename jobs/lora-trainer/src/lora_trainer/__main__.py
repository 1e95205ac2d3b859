"""Command line: ``python -m lora_trainer {train,verify,gguf-adapter,serve} ...``."""

import sys

from lora_trainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
