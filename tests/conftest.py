"""Shared fixtures: the shared specs (skipped cleanly when ../shared is absent)."""

from __future__ import annotations

import json

import pytest
from support import SPEC

# Database fixtures (SQLite and PostgreSQL) for tests/data, tests/correction and tests/ui.
pytest_plugins = ["dbfixtures"]


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
