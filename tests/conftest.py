"""Shared fixtures: paths to the shared specs, the eval set and the committed generated CVs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


@pytest.fixture(scope="session")
def parsed_cv_schema() -> dict:
    path = SPEC / "parsed-cv.schema.json"
    if not path.exists():
        pytest.skip("shared/spec is not beside the project")
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def jsonresume_schema() -> dict:
    path = SPEC / "jsonresume.schema.json"
    if not path.exists():
        pytest.skip("shared/spec is not beside the project")
    return json.loads(path.read_text())
