"""Paths and loaders shared by tests (importable: tests/ is on pytest's pythonpath)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SPEC = SHARED / "spec"
EVAL = SHARED / "eval"
FIXTURES = ROOT / "tests" / "fixtures"
GENERATED = FIXTURES / "generated"


def generated_index() -> list[dict]:
    """Entries of the committed generated fixture set (empty when absent)."""
    index = GENERATED / "index.jsonl"
    if not index.exists():
        return []
    return [json.loads(line) for line in index.read_text().splitlines() if line.strip()]
