"""PEFT LoRA adapter -> GGUF LoRA adapter (what llama.cpp and llama-cpp-python load with ``lora_path``).

Written with the ``gguf`` package (llama.cpp's own Python GGUF library, pinned in requirements.txt),
in the layout of llama.cpp's ``convert_lora_to_gguf.py``:

  * KV: ``general.architecture`` (the base's), ``general.type = adapter``, ``adapter.type = lora``,
    ``adapter.lora.alpha`` (float; llama.cpp scales B·A by alpha / r, as PEFT does);
  * per adapted linear layer ``W`` (GGUF name from ``gguf.TensorNameMap``, e.g. ``blk.0.attn_q.weight``):
    ``W.lora_a`` = PEFT ``lora_A.weight``, numpy shape (r, n_in) (ggml ne = [n_in, r]), and
    ``W.lora_b`` = PEFT ``lora_B.weight``, numpy shape (n_out, r) (ggml ne = [r, n_out]); float32.

Llama q/k permutation: llama.cpp keeps Llama's q and k projections in Meta's row order, while Hugging
Face (and transformers, which un-permutes them when it loads a GGUF) interleaves the two RoPE halves
of every head differently. ``convert_hf_to_gguf.py`` maps HF rows to GGUF rows with
``permute(w, n_head, n_head_kv)``; the LoRA delta ``B·A`` of q_proj / k_proj must get the same row
permutation, i.e. ``lora_B`` is permuted (``lora_A`` acts on the input side and is left as is).
Only the architectures in :data:`PERMUTE_QK` are supported (others raise ``ValueError``).

Checked against llama.cpp's own converter: on a stories260K adapter (r 16, all 7 projections),
``convert_lora_to_gguf.py`` from the llama-cpp-python 0.3.36 sdist (vendor/llama.cpp; run with
``--base`` = the GGUF base's transformers config.json plus ``"architectures": ["LlamaForCausalLM"]``,
which a GGUF-loaded config lacks) writes the same 70 tensors, bit for bit, and the same alpha. That
script is not in the installed wheel, hence this module.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

GGUF_NAME = "adapter-f32.gguf"
"""File name of the converted adapter, written next to the PEFT files in ``OUT/adapter/``."""

PERMUTE_QK = {"llama": True, "qwen2": False, "qwen3": False}
"""GGUF architectures supported, and whether their q/k rows are permuted HF -> GGUF."""


def permute_rows(w: np.ndarray, n_head: int, n_head_kv: int | None = None) -> np.ndarray:
    """``convert_hf_to_gguf.LlamaModel.permute``: HF row order -> GGUF (Meta) row order.

    ``w`` has shape (n_out, ...), n_out = heads * head_dim; with ``n_head_kv`` set and different
    from ``n_head`` (a k projection under GQA), the head count is ``n_head_kv``.
    """
    if n_head_kv is not None and n_head != n_head_kv:
        n_head = n_head_kv
    return (w.reshape(n_head, 2, w.shape[0] // n_head // 2, *w.shape[1:])
            .swapaxes(1, 2).reshape(w.shape))


def base_info(base_gguf: Path) -> dict:
    """Architecture, head counts, block count and tensor shapes (numpy order) of a GGUF base model."""
    from gguf import GGUFReader

    r = GGUFReader(str(base_gguf))
    arch = r.fields["general.architecture"].contents()

    def kv(key: str):
        f = r.fields.get(f"{arch}.{key}")
        return None if f is None else f.contents()

    shapes = {t.name: tuple(int(x) for x in reversed(t.shape.tolist())) for t in r.tensors}
    n_head = int(kv("attention.head_count"))
    n_head_kv = kv("attention.head_count_kv")
    return {"arch": arch, "n_head": n_head, "n_head_kv": int(n_head_kv) if n_head_kv is not None else n_head,
            "n_block": int(kv("block_count")), "shapes": shapes}


def convert(adapter_dir: Path, base_gguf: Path, out: Path | None = None) -> Path:
    """Converts the PEFT adapter in ``adapter_dir`` (trained on ``base_gguf``) to a GGUF LoRA file.

    Returns the written path (default ``adapter_dir / GGUF_NAME``). Raises ``ValueError`` for
    adapters llama.cpp cannot apply as they are (DoRA, rsLoRA, per-module ranks/alphas, biases,
    embedding targets, unknown architectures) and when a tensor does not fit the base model.
    """
    import gguf
    import torch
    from safetensors.torch import load_file

    adapter_dir = Path(adapter_dir)
    out = Path(out) if out else adapter_dir / GGUF_NAME
    cfg = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    if cfg.get("peft_type", "LORA") != "LORA":
        raise ValueError(f"not a LoRA adapter: peft_type {cfg.get('peft_type')}")
    for key in ("use_dora", "use_rslora", "rank_pattern", "alpha_pattern", "modules_to_save"):
        if cfg.get(key):
            raise ValueError(f"adapter_config.json sets {key}: not supported by the GGUF LoRA format")
    if cfg.get("bias", "none") != "none":
        raise ValueError("LoRA biases are not supported by the GGUF LoRA format")

    info = base_info(Path(base_gguf))
    arch = info["arch"]
    if arch not in PERMUTE_QK:
        raise ValueError(f"base architecture {arch!r} is not supported (known: {sorted(PERMUTE_QK)})")
    model_arch = next(k for k, v in gguf.MODEL_ARCH_NAMES.items() if v == arch)
    name_map = gguf.get_tensor_name_map(model_arch, info["n_block"])

    weights = load_file(str(adapter_dir / "adapter_model.safetensors"))
    pairs: dict[str, dict[str, np.ndarray]] = {}
    for name, t in weights.items():
        # base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight
        stem, _, part = name.rpartition(".lora_")
        if part not in ("A.weight", "B.weight") or not stem.startswith("base_model.model."):
            raise ValueError(f"unexpected tensor {name} in the adapter")
        hf_name = stem[len("base_model.model."):] + ".weight"
        gguf_name = name_map.get_name(hf_name, try_suffixes=(".weight",))
        if gguf_name is None or gguf_name not in info["shapes"]:
            raise ValueError(f"{hf_name}: no such tensor in the base GGUF (mapped to {gguf_name})")
        if gguf_name.startswith("token_embd"):
            raise ValueError("LoRA on the token embedding is not supported")
        pairs.setdefault(gguf_name, {})[part[0]] = t.to(torch.float32).numpy()

    r = int(cfg["r"])
    writer = gguf.GGUFWriter(str(out), arch)
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(cfg["lora_alpha"]))
    for gguf_name in sorted(pairs):
        ab = pairs[gguf_name]
        a, b = ab.get("A"), ab.get("B")
        if a is None or b is None:
            raise ValueError(f"{gguf_name}: lora_A or lora_B missing")
        n_out, n_in = info["shapes"][gguf_name]
        if a.shape != (r, n_in) or b.shape != (n_out, r):
            raise ValueError(f"{gguf_name}: A {a.shape} / B {b.shape} do not fit base {(n_out, n_in)} at r={r}")
        if PERMUTE_QK[arch] and gguf_name.endswith("attn_q.weight"):
            b = permute_rows(b, info["n_head"], info["n_head"])
        elif PERMUTE_QK[arch] and gguf_name.endswith("attn_k.weight"):
            b = permute_rows(b, info["n_head"], info["n_head_kv"])
        writer.add_tensor(gguf_name + ".lora_a", np.ascontiguousarray(a))
        writer.add_tensor(gguf_name + ".lora_b", np.ascontiguousarray(b))
    out.parent.mkdir(parents=True, exist_ok=True)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return out
