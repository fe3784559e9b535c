"""Database fixtures for tests/data and tests/correction: every test runs on SQLite and PostgreSQL.

PostgreSQL: 127.0.0.1:5432, trust auth, database `test` (override with CVASSIST_TEST_PG_URL).
Each pytest process creates one uniquely named schema, migrates it, empties it before each
test, and drops it at the end; the PostgreSQL variants skip with a reason when it is unreachable.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from correction.intake import ingest
from data.db import dispose_engines, get_engine, init_db
from data.store import FileStore
from parsing.model import ParsedCV
from settings import get_settings

PG_ADMIN_URL = os.environ.get(
    "CVASSIST_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = ["sqlite", "postgresql"]


def admin_engine() -> Engine:
    """An autocommit engine on the `test` database (CREATE / DROP SCHEMA)."""
    return create_engine(
        PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )


def create_pg_schema(prefix: str = "cvassist_test") -> str:
    """Create an empty uniquely named schema; return a URL whose search_path is that schema.
    Skips the test when PostgreSQL is unreachable."""
    admin = admin_engine()
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{name}"'))
    except OperationalError as e:
        pytest.skip(f"PostgreSQL is not reachable at {make_url(PG_ADMIN_URL).host}: {e.orig}")
    finally:
        admin.dispose()
    url = make_url(PG_ADMIN_URL).update_query_dict({"options": f"-csearch_path={name}"})
    return url.render_as_string(hide_password=False)


def drop_pg_schema(url: str) -> None:
    """Drop a schema made by create_pg_schema (after closing the pooled connections)."""
    dispose_engines()
    name = str(make_url(url).query["options"]).removeprefix("-csearch_path=")
    admin = admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated PostgreSQL schema for this test session."""
    url = create_pg_schema()
    init_db(get_engine(url))
    yield url
    drop_pg_schema(url)


def _empty(engine: Engine) -> None:
    """Delete every row (much faster than TRUNCATE on tiny tables; ids keep counting)."""
    with engine.begin() as conn:
        for table in reversed(SQLModel.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty, migrated database: a new SQLite file, or the emptied PostgreSQL one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db' / 'cvassist.sqlite'}"
        init_db(get_engine(url))
        return url
    url = request.getfixturevalue("pg_url")
    _empty(get_engine(url))
    return url


@pytest.fixture
def engine(db_url: str) -> Engine:
    """The shared engine for db_url."""
    return get_engine(db_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session like the app's (objects readable after commit)."""
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def store(tmp_path: Path) -> FileStore:
    """A file store under the test's temp directory."""
    return FileStore(tmp_path / "files")


@pytest.fixture
def app_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings pointing at db_url and a temp data dir (for code that reads get_settings())."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CVASSIST_DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


@pytest.fixture(params=BACKENDS)
def empty_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new database with no tables at all (migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
        return
    url = create_pg_schema("cvassist_migrate")
    yield url
    drop_pg_schema(url)


def synthetic_cv(data: bytes, name: str, confidences: dict[str, float]) -> ParsedCV:
    """A ParsedCV for `data` with one field per path ('name', 'skills[0]', ...) at a confidence."""
    fields: dict[str, Any] = {}
    for path, conf in confidences.items():
        f = {
            "value": f"value of {path}",
            "confidence": conf,
            "extractor": "synthetic",
            "source": {"page": 1, "bbox": [10.0, 20.5, 110.0, 32.25], "start": 0, "end": 5},
        }
        group, _, rest = path.partition("[")
        if not rest:
            fields[group] = f
        elif "." in rest:
            idx, comp = int(rest.split("]")[0]), rest.split(".")[1]
            entries = fields.setdefault(group, [])
            while len(entries) <= idx:
                entries.append({})
            entries[idx][comp] = f
        else:
            fields.setdefault(group, []).append(f)
    return ParsedCV.model_validate(
        {
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "status": "ok",
            "model_version": "synthetic-1",
            "parse_ms": 1.5,
            "pages": 1,
            "language": "en",
            "fields": fields,
        }
    )


@pytest.fixture
def fake_parser() -> Callable[[dict[str, float]], Callable[[bytes, str], ParsedCV]]:
    """fake_parser(confidences) → a parser returning synthetic_cv with those confidences."""

    def make(confidences: dict[str, float]) -> Callable[[bytes, str], ParsedCV]:
        return lambda data, name: synthetic_cv(data, name, confidences)

    return make


@pytest.fixture
def ingested(
    session: Session, store: FileStore, fake_parser: Callable[..., Any], staff: tuple[str, str]
) -> Callable[[dict[str, float], bytes], int]:
    """ingested(confidences, data) → the candidate id of a synthetic CV stored through `ingest`."""

    def make(confidences: dict[str, float], data: bytes = b"synthetic cv") -> int:
        result = ingest(
            session=session,
            name="cv.txt",
            data=data,
            user="ann",
            batch_id=None,
            store=store,
            parser=fake_parser(confidences),
        )
        assert result.candidate_id is not None, result.message
        return result.candidate_id

    return make


@pytest.fixture
def make_cv() -> Callable[[bytes, str, dict[str, float]], ParsedCV]:
    """synthetic_cv as a fixture (test modules cannot import this file)."""
    return synthetic_cv


TEST_PASSWORD = "correct horse battery"  # every account made by make_user has it


@contextmanager
def cheap_hashing() -> Iterator[None]:
    """Cheap argon2 parameters for accounts made inside (as Django's tests swap in a fast
    hasher): the production cost is ~0.2 s per hash here; the parameters live in each hash."""
    from argon2 import PasswordHasher

    from correction import accounts

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        yield


@pytest.fixture
def fast_hashing() -> Iterator[None]:
    """cheap_hashing for the accounts made in a test."""
    with cheap_hashing():
        yield


@pytest.fixture
def make_user(session: Session, fast_hashing: None) -> Callable[..., str]:
    """make_user(role, username=None) → the user name of a new enabled account with that role
    (password TEST_PASSWORD); the default user name is the role itself."""
    from correction.accounts import create_user

    def make(role: str, username: str | None = None, password: str = TEST_PASSWORD) -> str:
        name = username or role
        create_user(session=session, username=name, role=role, password=password)
        return name

    return make


@pytest.fixture
def staff(make_user: Callable[..., str]) -> tuple[str, str]:
    """Recruiter accounts 'ann' and 'bob' (the people the workflow tests act as)."""
    return make_user("recruiter", "ann"), make_user("recruiter", "bob")


def recruiter_examples(pool: list[Any], work: Path) -> list[Any]:
    """A simulated recruiter's corrections of `pool` (EvalDocs), saved through the real save
    path into a fresh SQLite database under `work`, as learning examples."""
    from correction.simulate import correct_one
    from learning.examples import build_examples

    engine = get_engine(f"sqlite:///{work / 'db.sqlite'}")
    init_db(engine)
    store = FileStore(work / "files")
    with Session(engine, expire_on_commit=False) as session:
        for doc in pool:
            res = ingest(
                session=session, name=doc.path.name, data=doc.path.read_bytes(),
                user="system", batch_id=None, store=store,
            )  # fmt: skip
            assert res.candidate_id is not None
            correct_one(session=session, candidate_id=res.candidate_id, doc=doc, user="system")
        out = build_examples(session=session, store=store)
    engine.dispose()
    return out
