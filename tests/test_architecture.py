"""Imports point one way (STYLE.md): app.py, ui/ → correction/ → learning/, data/ → parsing/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import ROOT

PACKAGES = ("parsing", "correction", "learning", "data", "ui", "corpus", "evaluation")
# package → top-level modules it must never import
FORBIDDEN = {
    "parsing": {
        "data",
        "correction",
        "learning",
        "ui",
        "streamlit",
        "sqlmodel",
        "sqlalchemy",
        "app",
        "evaluation",
        "corpus",
    },
    "learning": {"ui", "streamlit", "app", "correction"},
    "data": {"ui", "streamlit", "app", "correction", "learning"},
    "correction": {"ui", "streamlit", "app"},
    "corpus": {"ui", "streamlit", "data", "correction"},
    "evaluation": {"ui"},
}
# libraries that only one place may import (the naive baseline is a separate parser on purpose)
OWNERS = {
    "pdfplumber": ("parsing/readers/", "evaluation/baseline.py"),
    "pypdfium2": ("parsing/readers/",),
    "docx": ("parsing/readers/docx.py", "corpus/", "evaluation/baseline.py"),
    # the app benchmark times real pages with streamlit's AppTest
    "streamlit": (
        "app.py",
        "ui/",
        "evaluation/bench_app.py",
        "evaluation/bench_dashboard.py",
        "evaluation/bench_load.py",  # renders the queue page (AppTest) during the load test
    ),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def _sources() -> list[Path]:
    files = [ROOT / "app.py", ROOT / "cli.py", ROOT / "settings.py"]
    for pkg in PACKAGES:
        files.extend(sorted((ROOT / pkg).rglob("*.py")))
    return [f for f in files if f.exists()]


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    rel = path.relative_to(ROOT).as_posix()
    pkg = rel.split("/")[0]
    bad = _imports(path) & FORBIDDEN.get(pkg, set())
    assert not bad, f"{rel} imports {sorted(bad)} against the architecture"
    for lib, owners in OWNERS.items():
        if lib in _imports(path):
            assert rel.startswith(owners), f"{rel} imports {lib}; only {owners} may"


def test_the_check_would_catch_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "m.py"
    bad.write_text("import streamlit as st\nfrom data.db import get_engine\n")
    assert {"streamlit", "data"} <= _imports(bad)
