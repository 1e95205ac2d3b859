"""llama-cpp-python's OpenAI-compatible server with the trainer's chat template registered.

``python -m lora_trainer.llama_server --chat-template chat-template.json --config_file llama-server.json``

Registers ``chat-template.json`` (``{"template", "bos_token", "eos_token"}``, written by
:func:`lora_trainer.serve.write_config`) as llama-cpp-python chat format ``ais-distill``
(``llama_cpp.llama_chat_format.Jinja2ChatFormatter``: Jinja rendering with
``add_generation_prompt``, no BOS added at tokenization, stop at ``eos_token``), then runs the stock
server entry point ``llama_cpp.server.__main__.main`` with ``--config_file``.
"""

from __future__ import annotations

import argparse
import json
import sys

CHAT_FORMAT = "ais-distill"
"""Chat format name of the trainer's template in llama-cpp-python's registry."""


def register_chat_format(spec: dict[str, str]) -> None:
    """Registers the template in llama-cpp-python's chat handler registry as :data:`CHAT_FORMAT`."""
    from llama_cpp import llama_chat_format as lcf

    formatter = lcf.Jinja2ChatFormatter(template=spec["template"], eos_token=spec["eos_token"],
                                        bos_token=spec["bos_token"], add_generation_prompt=True)
    lcf.LlamaChatCompletionHandlerRegistry().register_chat_completion_handler(
        CHAT_FORMAT, formatter.to_chat_handler(), overwrite=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m lora_trainer.llama_server", description=__doc__.split("\n\n")[0])
    p.add_argument("--chat-template", required=True, help="chat-template.json")
    p.add_argument("--config_file", required=True, help="llama-cpp-python server config (JSON)")
    args = p.parse_args(argv)
    with open(args.chat_template, encoding="utf-8") as f:
        register_chat_format(json.load(f))
    from llama_cpp.server.__main__ import main as server_main

    sys.argv = [sys.argv[0], "--config_file", args.config_file]
    server_main()


if __name__ == "__main__":
    main()
