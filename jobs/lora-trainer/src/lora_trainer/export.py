"""Reads an ais-distill export directory and verifies it against its manifest.

An export (written by the Java ``ExportJob``) holds ``manifest.json`` and, per split
(``train``, ``validation``, ``test``), ``jsonl/SPLIT.jsonl`` (``{"messages": [...]}`` per line),
``parquet/SPLIT.parquet`` and ``arrow/SPLIT.arrow`` (columns split, qa_id, window_id, mmsi,
category, messages, n_tokens), all in the same row order. The manifest lists every file with its
SHA-256, size and row count; :func:`load_manifest` refuses an export whose files do not match.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

FORMAT = "ais-distill-export-v1"
SPLITS = ("train", "validation", "test")
DATA_DIRS = ("jsonl", "parquet", "arrow")


class ManifestError(ValueError):
    """The manifest does not describe the files of the export (tampered, partial or foreign)."""


def sha256_file(path: Path) -> str:
    """Lower-case hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def load_manifest(export_dir: str | Path, verify: bool = True) -> dict[str, Any]:
    """Reads ``manifest.json`` of ``export_dir``.

    With ``verify`` (the default) every listed file must exist with the listed SHA-256 and size,
    and no unlisted file may sit in the data directories; otherwise :class:`ManifestError`.
    """
    export_dir = Path(export_dir)
    path = export_dir / "manifest.json"
    if not path.is_file():
        raise ManifestError(f"no manifest.json in {export_dir}")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ManifestError(f"manifest.json is not JSON: {e}") from e
    if manifest.get("format") != FORMAT:
        raise ManifestError(f"unknown export format {manifest.get('format')!r} (expected {FORMAT})")
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise ManifestError("manifest lists no files")
    if verify:
        for rel, meta in sorted(files.items()):
            f = export_dir / rel
            if not f.is_file():
                raise ManifestError(f"{rel} is listed in the manifest but missing")
            if f.stat().st_size != meta.get("bytes"):
                raise ManifestError(f"{rel}: size {f.stat().st_size} != manifest {meta.get('bytes')}")
            digest = sha256_file(f)
            if digest != meta.get("sha256"):
                raise ManifestError(f"{rel}: sha256 {digest} != manifest {meta.get('sha256')}")
        for d in DATA_DIRS:
            for f in sorted((export_dir / d).glob("*")):
                rel = f"{d}/{f.name}"
                if rel not in files:
                    raise ManifestError(f"{rel} is not listed in the manifest")
    return manifest


def read_jsonl(export_dir: str | Path, split: str) -> list[list[dict[str, str]]]:
    """The ``messages`` of every line of ``jsonl/SPLIT.jsonl``, in file order."""
    out = []
    with open(Path(export_dir) / "jsonl" / f"{split}.jsonl", encoding="utf-8") as f:
        for line in f:
            out.append(json.loads(line)["messages"])
    return out


def read_arrow(export_dir: str | Path, split: str):
    """``arrow/SPLIT.arrow`` (Arrow IPC file format) as a ``pyarrow.Table``."""
    import pyarrow as pa

    with pa.memory_map(str(Path(export_dir) / "arrow" / f"{split}.arrow"), "r") as source:
        return pa.ipc.open_file(source).read_all()


def read_parquet(export_dir: str | Path, split: str):
    """``parquet/SPLIT.parquet`` as a ``pyarrow.Table``."""
    import pyarrow.parquet as pq

    return pq.read_table(Path(export_dir) / "parquet" / f"{split}.parquet")


def read_split(export_dir: str | Path, split: str) -> list[dict[str, Any]]:
    """Rows of one split from the Arrow file: dicts with qa_id, mmsi, category, messages, ..."""
    return read_arrow(export_dir, split).to_pylist()
