"""The package's import graph (issue 12): ``cli -> {train, serve} -> {chat_template, export,
gguf_adapter, llama_server}``; train and serve do not import each other, nothing imports cli but
the entry points, no cycle. Read from the source with :mod:`ast` (imports inside functions count),
so it needs none of the trainer's dependencies."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG_DIR = ROOT / "src" / "lora_trainer"
PKG = "lora_trainer"

LAYERS = {
    "__main__": 3,
    "cli": 2,
    "train": 1, "serve": 1,
    "chat_template": 0, "export": 0, "gguf_adapter": 0, "llama_server": 0,
    "__init__": 0,
}
"""A module may import only modules of a lower layer."""


def package_imports(path: Path, modules: set[str]) -> set[str]:
    """The package modules (short names) that ``path`` imports, at any depth of the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from .x import y / from . import x
                names = [f"{PKG}.{node.module}"] if node.module else [f"{PKG}.{a.name}" for a in node.names]
            elif node.module == PKG:  # from lora_trainer import train
                names = [f"{PKG}.{a.name}" for a in node.names]
            else:
                names = [node.module or ""]
        else:
            continue
        for n in names:
            parts = n.split(".")
            if parts[0] == PKG and len(parts) > 1 and parts[1] in modules:
                found.add(parts[1])
    return found


def graph() -> dict[str, set[str]]:
    modules = {p.stem for p in PKG_DIR.glob("*.py")}
    return {m: package_imports(PKG_DIR / f"{m}.py", modules) - {m} for m in modules}


def test_every_module_has_a_layer():
    assert set(graph()) == set(LAYERS), "add new modules of lora_trainer to LAYERS in this test"


def test_train_and_serve_do_not_import_each_other():
    g = graph()
    assert "serve" not in g["train"], "lora_trainer.train imports lora_trainer.serve"
    assert "train" not in g["serve"], "lora_trainer.serve imports lora_trainer.train"


def test_nothing_but_the_entry_points_imports_cli():
    g = graph()
    importers = sorted(m for m, deps in g.items() if "cli" in deps)
    assert importers == ["__main__"], importers
    modules = set(g)
    assert package_imports(ROOT / "train.py", modules) == {"cli"}  # the script entry point


def test_imports_go_down_the_layers():
    bad = [f"{m} -> {d}" for m, deps in graph().items() for d in sorted(deps) if LAYERS[d] >= LAYERS[m]]
    assert not bad, bad


def test_import_graph_is_acyclic():
    g = graph()
    state: dict[str, int] = {}

    def visit(m: str, path: list[str]) -> None:
        if state.get(m) == 1:
            raise AssertionError("import cycle: " + " -> ".join(path + [m]))
        if state.get(m) == 2:
            return
        state[m] = 1
        for d in sorted(g[m]):
            visit(d, path + [m])
        state[m] = 2

    for m in sorted(g):
        visit(m, [])
    assert g["cli"] >= {"train"} and g["serve"] >= {"chat_template", "gguf_adapter", "llama_server"}
    assert "chat_template" in g["train"] and "export" in g["train"]
