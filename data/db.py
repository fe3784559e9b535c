"""One engine per database URL (from settings), sessions, and `init_db` (Alembic upgrade head).

SQLite: WAL, busy_timeout, foreign keys, and our own BEGIN so a write transaction can start with
BEGIN IMMEDIATE (pysqlite's implicit BEGIN is switched off, as in SQLAlchemy's SQLite docs
"Serializable isolation / Savepoints / Transactional DDL"). WAL + busy_timeout alone still lose
read-modify-write races between processes; BEGIN IMMEDIATE takes the write lock up front.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlmodel import Session, create_engine

from settings import get_settings

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "migrations"
BUSY_TIMEOUT_MS = 10_000
WRITE_OPTION = "cvassist_write"  # connection execution option: begin with BEGIN IMMEDIATE
MIGRATION_LOCK_KEY = 0x63766173  # any constant shared by every process of this app

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see "begin" below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; the file store fsyncs itself
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str) -> Engine:
    """A new engine for `url`; SQLite files get their directory created and the hooks above.

    hide_parameters: a logged database error must never carry CV values from the statement.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False}, hide_parameters=True)
    _install_sqlite_hooks(engine)
    return engine


def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for `url` (default: settings' effective database URL)."""
    url = url or get_settings().effective_database_url
    with _lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def dispose_engines() -> None:
    """Close every cached engine (tests, and before forking worker processes)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def new_session(engine: Engine | None = None) -> Session:
    """A session on the shared engine; objects stay readable after commit."""
    return Session(engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session closed on exit (commits are the caller's; an exception rolls back)."""
    with new_session(engine) as session:
        yield session


def begin_write(session: Session) -> None:
    """Start a write transaction (BEGIN IMMEDIATE on SQLite) for a read-modify-write.

    A transaction the session already has open (e.g. from an earlier read) is committed first:
    reads made in it could be stale, and SQLite cannot upgrade it to a write lock reliably.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={WRITE_OPTION: True})


def alembic_config(connection: Connection | None = None) -> Any:
    """The Alembic config for this project's migrations, bound to `connection` when given."""
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def init_db(engine: Engine | None = None) -> None:
    """Bring the schema to the latest migration (the only way tables are created).

    Safe when several processes start at once: SQLite migrates under BEGIN IMMEDIATE, PostgreSQL
    under a transaction-scoped advisory lock, so the second process finds the schema at head.
    """
    from alembic import command

    engine = engine or get_engine()
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        else:
            conn = conn.execution_options(**{WRITE_OPTION: True})
        command.upgrade(alembic_config(conn), "head")
        conn.commit()
