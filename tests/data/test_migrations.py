"""Migrations are the one way the schema is made: they create exactly the SQLModel metadata."""

from __future__ import annotations

import sqlite3
import threading

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import Session, SQLModel

from data.db import begin_write, get_engine, init_db, make_engine


def test_migration_creates_exactly_the_metadata(empty_db_url: str) -> None:
    engine = get_engine(empty_db_url)
    assert inspect(engine).get_table_names() == []
    init_db(engine)
    init_db(engine)  # idempotent: a second upgrade finds nothing to do
    insp = inspect(engine)
    expected = {t.name: {c.name for c in t.columns} for t in SQLModel.metadata.sorted_tables}
    assert set(insp.get_table_names()) == set(expected) | {"alembic_version"}
    for table, columns in expected.items():
        assert {c["name"] for c in insp.get_columns(table)} == columns, table
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []


def test_sqlite_pragmas(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x' / 'db.sqlite'}")  # creates the directory
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_sqlite_write_path_takes_the_lock_up_front(tmp_path) -> None:
    path = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with Session(engine) as reader:
        reader.execute(text("SELECT count(*) FROM candidate"))  # a plain read: deferred BEGIN
        other.execute("BEGIN IMMEDIATE")  # another writer still gets in
        other.execute("ROLLBACK")
    with Session(engine) as writer:
        begin_write(writer)
        writer.execute(text("SELECT count(*) FROM candidate"))  # no write yet, lock already held
        try:
            other.execute("BEGIN IMMEDIATE")
            raise AssertionError("a second writer got in during BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            assert "locked" in str(e)
        writer.rollback()
    other.close()


def test_concurrent_read_modify_write_loses_nothing(tmp_path) -> None:
    """SQLite: 4 threads x 25 read-then-write increments through begin_write all land."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    init_db(engine)
    insert = (
        "INSERT INTO batch (created_by, created_at, n_files, n_new, n_duplicates, n_failed) "
        "VALUES ('t', CURRENT_TIMESTAMP, 0, 0, 0, 0)"
    )
    with Session(engine) as s:
        begin_write(s)
        s.execute(text(insert))
        s.commit()
    errors: list[Exception] = []

    def work() -> None:
        try:
            with Session(engine) as s:
                for _ in range(25):
                    begin_write(s)
                    n = s.execute(text("SELECT n_files FROM batch")).scalar_one()
                    s.execute(text("UPDATE batch SET n_files = :n"), {"n": n + 1})
                    s.commit()
        except Exception as e:  # collected and asserted below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Session(engine) as s:
        assert s.execute(text("SELECT n_files FROM batch")).scalar_one() == 100
