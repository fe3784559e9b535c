"""Seeding for `make bench-app`: thousands of parsed CVs, as the app's own workflows write them.

The generated fixtures are parsed once. Each one goes through the real workflows (`ingest`, then
`open_candidate` + `save_corrections` for a CV in review or reviewed) in a scratch database, and
those rows are cloned in bulk for N documents whose bytes differ by a counter in a comment, so each
has its own SHA-256 and stored file. `check_shape` proves the cloning honest: the real workflows
with the real parser on a sample of the same bytes write the same rows, ids and timestamps aside.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, col

from correction.intake import Parser, ingest
from correction.review import FieldChange, ReviewTask, open_candidate, save_corrections
from data.db import begin_write, dispose_engines, init_db, make_engine
from data.models import (
    AuditEvent,
    Batch,
    Candidate,
    Correction,
    Document,
    FieldValue,
    ParseJob,
    ParseResult,
    UserAccount,
)
from data.store import FileStore
from learning.runtime import parse_with_champion
from parsing.model import ParsedCV

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "tests" / "fixtures" / "generated" / "docs"
PG_ADMIN_URL = os.environ.get(
    "CVASSIST_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
FORMATS = ("pdf", "docx", "txt")
STATES = ("new", "in_review", "reviewed")
STATE_WEIGHTS = (0.7, 0.1, 0.2)  # share of candidates in each review state
BATCH_SIZE = 500  # documents per upload batch (and per seeding transaction)
UPLOADERS = ("ann", "bob", "carol")
REVIEWERS = ("dan", "eve")
BENCH_USER = "bench"  # who the bench's own measured calls act as
SECONDS_SPENT = 42.0
DAYS = 90  # uploads spread over the last DAYS days
SEED = 7
TABLES: tuple[type[SQLModel], ...] = (
    Batch,
    Document,
    ParseJob,
    ParseResult,
    FieldValue,
    Candidate,
    Correction,
    AuditEvent,
)
TIMES = {"at", "created_at", "updated_at", "uploaded_at", "last_activity_at", "parse_ms"}

Rows = list[dict[str, Any]]


# --- documents ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """One generated fixture, parsed once."""

    name: str
    fmt: str
    data: bytes
    parsed: ParsedCV


def load_templates(limit: int | None = None) -> list[Template]:
    """Parse the generated fixtures (pdf, docx, txt in turn) as the intake does, at most `limit`."""
    by_fmt = [sorted(DOCS.glob(f"*.{f}")) for f in FORMATS]
    paths = [p for trio in zip(*by_fmt, strict=False) for p in trio][:limit]
    if not paths:
        raise SystemExit(f"no generated fixtures in {DOCS}")
    out = []
    for p in paths:
        data = p.read_bytes()
        parsed = parse_with_champion(data, p.name)  # what ingest's parse would store
        if not parsed.status.usable:
            raise SystemExit(f"fixture {p.name} does not parse: {parsed.message}")
        out.append(Template(p.name, p.suffix[1:], data, parsed))
    return out


def unique_bytes(data: bytes, fmt: str, n: int) -> bytes:
    """The document with `n` written where readers ignore it, so its SHA-256 is its own."""
    if fmt == "pdf":  # a comment after %%EOF
        return data + f"\n%cvassist-bench {n}\n".encode()
    if fmt == "docx":  # the zip comment: the last field of the end-of-central-directory record
        if data[-22:-18] != b"PK\x05\x06" or data[-2:] != b"\0\0":
            raise ValueError("a DOCX that already has a zip comment")
        comment = f"cvassist-bench {n}".encode()
        return data[:-2] + len(comment).to_bytes(2, "little") + comment
    # text: a last line of spaces and tabs spelling n in binary
    return data + b"\n" + format(n, "b").replace("0", " ").replace("1", "\t").encode() + b"\n"


@dataclass(frozen=True, slots=True)
class Planned:
    """Document number i of the seeded database: its template, review state, people and time."""

    i: int
    template: int
    state: str
    uploader: str
    reviewer: str
    when: datetime

    def file_name(self, t: Template) -> str:
        """The uploaded file name."""
        return f"cv-{self.i:05d}-{t.name}"


def plan(n: int, n_templates: int, *, now: datetime, seed: int = SEED) -> list[Planned]:
    """Which template and review state document i gets, who uploaded it (per batch), and when."""
    rng = random.Random(seed)
    step = timedelta(days=DAYS) / max(n, 1)
    return [
        Planned(
            i=i,
            template=i % n_templates,
            state=rng.choices(STATES, STATE_WEIGHTS)[0],
            uploader=UPLOADERS[(i // BATCH_SIZE) % len(UPLOADERS)],
            reviewer=REVIEWERS[i % len(REVIEWERS)],
            when=now - timedelta(days=DAYS) + i * step,
        )
        for i in range(n)
    ]


# --- the real workflows, and their rows as templates ----------------------------------------------


def review_changes(task: ReviewTask, *, complete: bool) -> list[FieldChange]:
    """A review: two text fields edited and every other field accepted (complete), or the first
    five fields accepted (a review left half-way)."""
    if not complete:
        return [FieldChange(f.path, "accept") for f in task.fields[:5]]
    edits = [f.path for f in task.fields if isinstance(f.field.value, str)][:2]
    return [
        FieldChange(f.path, "edit", f"{f.field.value} (checked)")
        if f.path in edits
        else FieldChange(f.path, "accept")
        for f in task.fields
    ]


def real_flow(
    session: Session,
    p: Planned,
    t: Template,
    *,
    batch_id: int,
    store: FileStore,
    parser: Parser | None,
) -> int:
    """Upload (and review, unless the CV is new) one planned document as the app does; its id."""
    res = ingest(
        session=session,
        name=p.file_name(t),
        data=unique_bytes(t.data, t.fmt, p.i),
        user=p.uploader,
        batch_id=batch_id,
        store=store,
        parser=parser,
    )
    if res.candidate_id is None or res.document_id is None:
        raise RuntimeError(f"{p.file_name(t)} did not become a candidate: {res.message}")
    if p.state != "new":
        task = open_candidate(session=session, candidate_id=res.candidate_id, user=p.reviewer)
        done = p.state == "reviewed"
        saved = save_corrections(
            session=session,
            candidate_id=res.candidate_id,
            user=p.reviewer,
            expected_version=task.candidate.version_id,
            changes=review_changes(task, complete=done),
            seconds_spent=SECONDS_SPENT,
            done=done,
        )
        assert saved.ok
    return res.document_id


@dataclass(frozen=True, slots=True)
class RowSet:
    """The rows the real workflows wrote for one document, without ids."""

    document: dict[str, Any]
    job: dict[str, Any]
    result: dict[str, Any]
    fields: Rows
    candidate: dict[str, Any]
    corrections: Rows
    audits: Rows


def _rows(session: Session, model: type[SQLModel], where: Any) -> Rows:
    table: Any = model.__table__  # type: ignore[attr-defined]
    stmt = select(table).where(where).order_by(table.c.id)
    return [{k: v for k, v in r.items() if k != "id"} for r in session.execute(stmt).mappings()]


def extract(session: Session, document_id: int) -> RowSet:
    """The rows of one document: its parse, field values, candidate, corrections, audit events."""
    pr_id = session.execute(
        select(col(ParseResult.id)).where(col(ParseResult.document_id) == document_id)
    ).scalar_one()
    cand_id = session.execute(
        select(col(Candidate.id)).where(col(Candidate.document_id) == document_id)
    ).scalar_one()
    audits = [
        a
        for a in _rows(session, AuditEvent, text("1 = 1"))
        if a["candidate_id"] == cand_id or a["detail"].get("document_id") == document_id
    ]
    return RowSet(
        document=_rows(session, Document, col(Document.id) == document_id)[0],
        job=_rows(session, ParseJob, col(ParseJob.document_id) == document_id)[0],
        result=_rows(session, ParseResult, col(ParseResult.id) == pr_id)[0],
        fields=_rows(session, FieldValue, col(FieldValue.parse_result_id) == pr_id),
        candidate=_rows(session, Candidate, col(Candidate.id) == cand_id)[0],
        corrections=_rows(session, Correction, col(Correction.candidate_id) == cand_id),
        audits=audits,
    )


def cached_parser(t: Template) -> Parser:
    """A parser answering the template's parse for any bytes (named as parse_bytes names them)."""

    def parse(data: bytes, name: str) -> ParsedCV:
        digest = hashlib.sha256(data).hexdigest()
        return t.parsed.model_copy(update={"file": Path(name).name, "sha256": digest})

    return parse


def add_staff(engine: Engine) -> None:
    """Recruiter accounts for the uploaders, reviewers and the bench itself (workflows authorize
    every call against the accounts table); no password: they never sign in."""
    with Session(engine) as session:
        for name in (*UPLOADERS, *REVIEWERS, BENCH_USER):
            session.add(UserAccount(username=name, role="recruiter"))
        session.commit()


def template_rows(templates: list[Template], workdir: Path) -> dict[tuple[int, str], RowSet]:
    """Every (template, review state) through the real workflows; their rows, by that key."""
    engine = make_engine(f"sqlite:///{workdir / 'templates.sqlite'}")
    init_db(engine)
    add_staff(engine)
    store = FileStore(workdir / "template-files")
    now = datetime.now(UTC)
    out: dict[tuple[int, str], RowSet] = {}
    with Session(engine, expire_on_commit=False) as session:
        batch = Batch(created_by=UPLOADERS[0])
        session.add(batch)
        session.commit()
        assert batch.id is not None
        for t_idx, t in enumerate(templates):
            for state in STATES:
                n = -1 - len(out)  # negative: never one of the seeded documents' bytes
                p = Planned(n, t_idx, state, UPLOADERS[0], REVIEWERS[0], now)
                doc_id = real_flow(
                    session, p, t, batch_id=batch.id, store=store, parser=cached_parser(t)
                )
                out[(t_idx, state)] = extract(session, doc_id)
    engine.dispose()
    return out


# --- bulk cloning ---------------------------------------------------------------------------------


def _insert(session: Session, model: type[SQLModel], rows: Rows, *, ids: bool = True) -> list[int]:
    """Insert many rows; their new ids in the order given (ids=False: [], and much faster)."""
    if not rows:
        return []
    table: Any = model.__table__  # type: ignore[attr-defined]
    if ids:
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(session.connection().execute(stmt, rows).scalars())
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, rows)
    else:
        session.connection().execute(insert(table), rows)
    return []


def _copy(session: Session, table: Any, rows: Rows) -> None:
    """PostgreSQL's COPY of full rows, writing what an INSERT would: JSON columns as JSON text
    (None as JSON 'null', as SQLAlchemy's JSON type stores it)."""
    cols = [c for c in table.columns if c.name != "id"]
    is_json = [isinstance(c.type, JSON) for c in cols]
    names = ", ".join(f'"{c.name}"' for c in cols)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            values = [row[c.name] for c in cols]
            copy.write_row(
                [json.dumps(v) if j else v for v, j in zip(values, is_json, strict=True)]
            )


def _put(store: FileStore, data: bytes) -> str:
    """Write bytes where the store keeps them, without FileStore.put's two fsyncs per file
    (thousands of fsyncs would dominate seeding; a throw-away store needs no durability)."""
    digest = hashlib.sha256(data).hexdigest()
    path = store.path(digest)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return digest


def seed_batch(
    session: Session,
    batch: Sequence[Planned],
    templates: list[Template],
    rowsets: dict[tuple[int, str], RowSet],
    store: FileStore,
) -> dict[str, int]:
    """Clone the template rows for one upload batch of planned documents; commits."""
    begin_write(session)
    n = len(batch)
    head = {"label": None, "created_by": batch[0].uploader, "created_at": batch[0].when}
    counts = {"n_files": n, "n_new": n, "n_duplicates": 0, "n_failed": 0}
    batch_id = _insert(session, Batch, [{**head, **counts}])[0]
    docs, items = [], []
    for p in batch:
        t, rs = templates[p.template], rowsets[(p.template, p.state)]
        data = unique_bytes(t.data, t.fmt, p.i)
        digest = _put(store, data)
        docs.append(
            {
                **rs.document,
                "sha256": digest,
                "name": p.file_name(t),
                "size": len(data),
                "stored_path": store.relpath(digest),
                "uploaded_by": p.uploader,
                "batch_id": batch_id,
                "uploaded_at": p.when,
            }
        )
        items.append((p, rs))
    doc_ids = _insert(session, Document, docs)
    jobs = [
        {**rs.job, "document_id": d, "created_at": p.when, "updated_at": p.when}
        for d, (p, rs) in zip(doc_ids, items, strict=True)
    ]
    _insert(session, ParseJob, jobs, ids=False)
    results = [
        {
            **rs.result,
            "document_id": d,
            "created_at": p.when,
            "parsed": {**rs.result["parsed"], "file": doc["name"], "sha256": doc["sha256"]},
        }
        for d, doc, (p, rs) in zip(doc_ids, docs, items, strict=True)
    ]
    pr_ids = _insert(session, ParseResult, results)
    fields = [
        {**f, "parse_result_id": pr}
        for pr, (_, rs) in zip(pr_ids, items, strict=True)
        for f in rs.fields
    ]
    _insert(session, FieldValue, fields, ids=False)
    later = [p.when + timedelta(hours=1) for p, _ in items]
    cands = [
        {
            **rs.candidate,
            "document_id": d,
            "parse_result_id": pr,
            "created_at": p.when,
            "last_activity_at": at,
        }
        for d, pr, at, (p, rs) in zip(doc_ids, pr_ids, later, items, strict=True)
    ]
    cand_ids = _insert(session, Candidate, cands)
    corrections = [
        {**c, "candidate_id": cid, "parse_result_id": pr, "username": p.reviewer, "at": at}
        for cid, pr, at, (p, rs) in zip(cand_ids, pr_ids, later, items, strict=True)
        for c in rs.corrections
    ]
    _insert(session, Correction, corrections, ids=False)
    audits = []
    for doc, d, cid, at, (p, rs) in zip(docs, doc_ids, cand_ids, later, items, strict=True):
        for a in rs.audits:
            if a["action"] == "upload":
                detail = {**a["detail"], "document_id": d, "batch_id": batch_id}
                detail["size"] = doc["size"]
                audits.append({**a, "username": p.uploader, "at": p.when, "detail": detail})
            else:
                audits.append({**a, "candidate_id": cid, "username": p.reviewer, "at": at})
    _insert(session, AuditEvent, audits, ids=False)
    session.commit()
    return {
        "documents": n,
        "field_values": len(fields),
        "corrections": len(corrections),
        "audit_events": len(audits),
    }


def seed(
    engine: Engine,
    planned: list[Planned],
    templates: list[Template],
    rowsets: dict[tuple[int, str], RowSet],
    store: FileStore,
    *,
    progress: bool = False,
) -> dict[str, Any]:
    """Seed the planned documents, one upload batch per transaction; row counts and seconds.

    PostgreSQL is ANALYZEd afterwards, as autovacuum would soon do in a live database.
    """
    t0 = time.perf_counter()
    totals: dict[str, int] = {}
    with Session(engine, expire_on_commit=False) as session:
        for start in range(0, len(planned), BATCH_SIZE):
            chunk = planned[start : start + BATCH_SIZE]
            for k, v in seed_batch(session, chunk, templates, rowsets, store).items():
                totals[k] = totals.get(k, 0) + v
            if progress:
                print(f"  seeded {start + len(chunk)} documents", file=sys.stderr)
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    return {**totals, "seconds": round(time.perf_counter() - t0, 2)}


# --- the shape check ------------------------------------------------------------------------------


def dump(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, ids and timestamps aside, as sorted JSON (tables by name); JSON
    columns also say whether they hold SQL NULL rather than JSON null."""
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for model in TABLES:
            table: Any = model.__table__  # type: ignore[attr-defined]
            nulls = [
                c.is_(None).label(f"{c.name} is SQL NULL")
                for c in table.columns
                if isinstance(c.type, JSON)
            ]
            rows = []
            for r in conn.execute(select(table, *nulls)).mappings():
                row = {k: v for k, v in r.items() if k != "id" and k not in TIMES}
                if "parsed" in row:
                    row["parsed"] = {k: v for k, v in row["parsed"].items() if k not in TIMES}
                rows.append(json.dumps(row, sort_keys=True, default=str))
            out[table.name] = sorted(rows)
    return out


def check_shape(
    planned: list[Planned],
    templates: list[Template],
    rowsets: dict[tuple[int, str], RowSet],
    workdir: Path,
    clone_urls: list[str],
) -> dict[str, Any]:
    """The real workflows with the real parser on one document per (format, state), and the
    cloner on the same documents into each of `clone_urls`: every database must hold the same
    rows, ids and timestamps aside. Raises AssertionError naming the first difference."""
    seen: dict[tuple[str, str], Planned] = {}
    for p in planned:
        seen.setdefault((templates[p.template].fmt, p.state), p)
    first = min(seen.values(), key=lambda p: p.i)
    sample = [replace(p, uploader=first.uploader) for p in sorted(seen.values(), key=lambda p: p.i)]
    real = make_engine(f"sqlite:///{workdir / 'shape-real.sqlite'}")
    init_db(real)
    add_staff(real)
    store = FileStore(workdir / "shape-files")
    with Session(real, expire_on_commit=False) as session:
        batch = Batch(created_by=first.uploader)  # ingest counts each file into it
        session.add(batch)
        session.commit()
        assert batch.id is not None
        for p in sample:
            real_flow(
                session, p, templates[p.template], batch_id=batch.id, store=store, parser=None
            )
    expected = dump(real)
    real.dispose()
    for url in clone_urls:
        cloned = make_engine(url)
        init_db(cloned)
        add_staff(cloned)
        with Session(cloned, expire_on_commit=False) as session:
            seed_batch(session, sample, templates, rowsets, store)
        got = dump(cloned)
        cloned.dispose()
        for table, rows in expected.items():
            if got[table] != rows:
                pairs = zip([*rows, ""], [*got[table], ""], strict=False)
                diff = next((x, y) for x, y in pairs if x != y)
                raise AssertionError(f"{cloned.dialect.name}: cloned {table} rows differ: {diff}")
    return {
        "documents": len(sample),
        "backends": [make_url(u).get_backend_name() for u in clone_urls],
        "rows_compared": {k: len(v) for k, v in expected.items()},
    }


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_unreachable() -> str | None:
    """Why PostgreSQL cannot be used (None = it can)."""
    admin = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            return None
    except OperationalError as e:
        return f"PostgreSQL skipped: not reachable at {make_url(PG_ADMIN_URL).host} ({e.orig})"
    finally:
        admin.dispose()


@contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh PostgreSQL schema (a URL whose search_path is that schema), dropped on exit."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"cvassist_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        url = make_url(PG_ADMIN_URL).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        dispose_engines()  # pooled connections hold locks DROP SCHEMA waits for
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


def usable_backends(spec: str, notes: list[str]) -> list[str]:
    """The comma-separated backends of `spec`; PostgreSQL left out (and why added to `notes`)
    when it is unreachable."""
    backends = [b.strip() for b in spec.split(",") if b.strip()]
    if "postgresql" in backends and (why := pg_unreachable()):
        notes.append(why)
        backends.remove("postgresql")
    return backends


@contextmanager
def backend_url(backend: str, sqlite_file: Path) -> Iterator[str]:
    """The database URL of a benchmark run: a fresh PostgreSQL schema (dropped on exit) for
    'postgresql', else the SQLite file `sqlite_file`."""
    if backend == "postgresql":
        with pg_schema() as url:
            yield url
    else:
        yield f"sqlite:///{sqlite_file}"
