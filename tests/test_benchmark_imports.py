"""Every name a benchmark imports from kmrecon's packages exists (a move of a module must move its users)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"reconstruct", "compare", "figures", "kmrecon"}
SCRIPTS = sorted((ROOT / "benchmarks").rglob("*.py"))


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] in OURS:
            for alias in node.names:
                yield node.lineno, node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in OURS:
                    yield node.lineno, alias.name, None


def _resolves(module: str, name: str | None) -> bool:
    mod = importlib.import_module(module)
    if name is None or hasattr(mod, name):
        return True
    try:
        importlib.import_module(f"{module}.{name}")
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_benchmark_imports_resolve(script):
    missing = [f"line {line}: from {module} import {name}" for line, module, name in _imports(script)
               if not _resolves(module, name)]
    assert missing == []


def test_there_are_benchmarks_to_check():
    assert len(SCRIPTS) >= 10
