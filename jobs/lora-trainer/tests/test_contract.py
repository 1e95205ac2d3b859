"""Hand-off contract: the Python side reads exactly what the Java ExportJob wrote."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lora_trainer.export import SPLITS, ManifestError, load_manifest, read_arrow, read_jsonl, read_parquet


def test_manifest_matches_files(export_dir):
    m = load_manifest(export_dir)
    assert set(m["files"]) == {f"{d}/{s}.{ext}" for s in SPLITS
                               for d, ext in (("jsonl", "jsonl"), ("parquet", "parquet"), ("arrow", "arrow"))}
    for s in SPLITS:
        assert m["counts"]["splits"][s]["examples"] > 0, s
    assert m["training"]["lora"]["r"] > 0 and m["training"]["max_length"] > 0
    assert m["tokenizer"]["name"] and len(m["tokenizer"]["sha256"]) == 64


def test_arrow_jsonl_and_parquet_agree_row_for_row(export_dir):
    m = load_manifest(export_dir)
    for s in SPLITS:
        arrow = read_arrow(export_dir, s)
        jsonl = read_jsonl(export_dir, s)
        parquet = read_parquet(export_dir, s)
        assert arrow.num_rows == len(jsonl) == parquet.num_rows == m["counts"]["splits"][s]["examples"]
        assert arrow.column_names == ["split", "qa_id", "window_id", "mmsi", "category", "messages", "n_tokens"]
        a_rows = arrow.to_pylist()
        p_rows = parquet.to_pylist()
        for a, j, p in zip(a_rows, jsonl, p_rows):
            assert a["messages"] == j == p["messages"]
            assert (a["qa_id"], a["mmsi"], a["category"], a["n_tokens"]) == \
                   (p["qa_id"], p["mmsi"], p["category"], p["n_tokens"])
            assert a["split"] == s
            assert [x["role"] for x in j][-2:] == ["user", "assistant"]
            assert a["n_tokens"] <= m["training"]["max_length"]
        ids = [r["qa_id"] for r in a_rows]
        assert ids == sorted(ids)


def test_splits_are_vessel_disjoint_with_every_category(export_dir):
    vessels, cats = {}, {}
    for s in SPLITS:
        rows = read_arrow(export_dir, s).to_pylist()
        vessels[s] = {r["mmsi"] for r in rows}
        cats[s] = {r["category"] for r in rows}
    assert not vessels["train"] & vessels["validation"]
    assert not vessels["train"] & vessels["test"]
    assert not vessels["validation"] & vessels["test"]
    assert cats["train"] == cats["validation"] == cats["test"]
    assert len(cats["train"]) == 6


def _copy(export_dir: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "export"
    shutil.copytree(export_dir, dst)
    return dst


def test_tampered_manifest_hash_is_refused(export_dir, tmp_path):
    d = _copy(export_dir, tmp_path)
    m = json.loads((d / "manifest.json").read_text())
    m["files"]["jsonl/train.jsonl"]["sha256"] = "0" * 64
    (d / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ManifestError, match="sha256"):
        load_manifest(d)


def test_tampered_data_file_is_refused(export_dir, tmp_path):
    d = _copy(export_dir, tmp_path)
    f = d / "arrow" / "validation.arrow"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0x01
    f.write_bytes(bytes(data))
    with pytest.raises(ManifestError, match="arrow/validation.arrow"):
        load_manifest(d)


def test_unlisted_file_is_refused(export_dir, tmp_path):
    d = _copy(export_dir, tmp_path)
    shutil.copy(d / "jsonl" / "test.jsonl", d / "jsonl" / "extra.jsonl")
    with pytest.raises(ManifestError, match="not listed"):
        load_manifest(d)


def test_trainer_cli_refuses_tampered_export(export_dir, tmp_path):
    d = _copy(export_dir, tmp_path)
    with open(d / "jsonl" / "train.jsonl", "a", encoding="utf-8") as f:
        f.write('{"messages": []}\n')
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    r = subprocess.run([sys.executable, "-m", "lora_trainer", "train", "--export", str(d), "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, env=env)
    assert r.returncode == 1
    assert "lora_trainer: error:" in r.stderr and "jsonl/train.jsonl" in r.stderr
