"""Chat formatting shared by the trainer (:mod:`lora_trainer.train`) and the server
(:mod:`lora_trainer.serve`): both must render a chat to the same text.

The trainer renders with the tokenizer's own chat template, or, when the tokenizer has none, with a
ChatML fallback (:func:`render_chat`); the server renders with the same template in Jinja form
(:func:`chat_template_spec`, :data:`CHATML_TEMPLATE` for the fallback) and stops at its end-of-turn
text (:data:`CHATML_EOS` for the fallback, else the tokenizer's EOS).
"""

from __future__ import annotations

from pathlib import Path

CHATML = "chatml"
CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
"""Jinja form of :func:`render_chat`'s ChatML fallback (what the server renders; a test checks both agree)."""
CHATML_EOS = "<|im_end|>"
"""End-of-turn text of the ChatML fallback: what the server stops at."""


def render_chat(tokenizer, messages: list[dict[str, str]], add_generation_prompt: bool) -> str:
    """Renders messages with the tokenizer's chat template, or as ChatML text when it has none."""
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages)
    return text + ("<|im_start|>assistant\n" if add_generation_prompt else "")


def chat_template_spec(adapter_dir: Path) -> dict[str, str]:
    """The chat template the trainer used (from the tokenizer saved with the adapter).

    Returns ``{"template", "bos_token", "eos_token"}``: ``eos_token`` is what the template renders
    as ``eos_token`` and what the server stops at; for the ChatML fallback it is ``<|im_end|>``.
    """
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(adapter_dir))
    if getattr(tok, "chat_template", None):
        return {"template": tok.chat_template, "bos_token": tok.bos_token or "", "eos_token": tok.eos_token or ""}
    return {"template": CHATML_TEMPLATE, "bos_token": tok.bos_token or "", "eos_token": CHATML_EOS}
