"""Database fixtures (SQLite and PostgreSQL) from tests/data/dbfixtures.py, loaded by path.

tests/data has no __init__.py (it must not shadow the `data` package), so it is not importable.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "data" / "dbfixtures.py"
_spec = importlib.util.spec_from_file_location("cvassist_test_dbfixtures", _PATH)
assert _spec is not None and _spec.loader is not None
_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixtures)

app_env = _fixtures.app_env
empty_db_url = _fixtures.empty_db_url
fake_parser = _fixtures.fake_parser
make_cv = _fixtures.make_cv
db_url = _fixtures.db_url
engine = _fixtures.engine
pg_url = _fixtures.pg_url
session = _fixtures.session
store = _fixtures.store
