"""`cvassist import`: store and parse files through `ingest`, the upload page's own code path."""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from correction.access import SYSTEM_USER, AccessDenied, authorize
from correction.intake import NOT_STORED, IngestResult, ingest
from data.db import init_db, session_scope
from data.models import Candidate
from data.queries import create_batch

log = logging.getLogger(__name__)
DB_ERROR = "The database could not be written; the file was not recorded."


def describe(path: Path, result: IngestResult) -> str:
    """One output line: path, status, and the candidate id, 'duplicate' or the message."""
    if result.status == "duplicate":
        tail = "duplicate" + (f" of candidate {result.candidate_id}" if result.candidate_id else "")
    elif result.candidate_id is not None:
        tail = f"candidate {result.candidate_id}"
    else:
        tail = result.message or ""
    return f"{path}\t{result.status}\t{tail}"


def main(files: Iterable[Path], *, user: str | None = None, batch: str | None = None) -> int:
    """Import files as one batch; prints a line per file and a summary. 1 = a file not stored,
    2 = `user` may not upload. user None = the operator (SYSTEM_USER)."""
    user = user or SYSTEM_USER
    init_db()
    counts: Counter[str] = Counter()
    with session_scope() as session:
        try:
            authorize(session=session, user=user, permission="upload")
        except AccessDenied as e:
            print(f"{user}: {e}", file=sys.stderr)
            return 2
        batch_id = create_batch(session=session, user=user, label=batch).id
        session.commit()
        for path in files:
            result = _import_one(session, path, user=user, batch_id=batch_id)
            counts[result.status] += 1
            print(describe(path, result), flush=True)
    total = sum(counts.values())
    print(
        f"{total} file{'s' if total != 1 else ''}: {counts['parsed']} parsed, "
        f"{counts['failed']} failed to parse, {counts['duplicate']} duplicate, "
        f"{counts['error']} not stored (batch {batch_id})"
    )
    return 1 if counts["error"] else 0


def _import_one(session: Session, path: Path, *, user: str, batch_id: int | None) -> IngestResult:
    """Ingest one path; an unreadable file or a database error becomes an 'error' result."""
    try:
        data = path.read_bytes()
    except OSError:
        return IngestResult(name=path.name, status="error", sha256="", message=NOT_STORED)
    try:
        return ingest(session=session, name=path.name, data=data, user=user, batch_id=batch_id)
    except SQLAlchemyError:
        session.rollback()
        log.warning("database error importing a file", exc_info=True)
        return IngestResult(name=path.name, status="error", sha256="", message=DB_ERROR)


DEMO_DIR = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "generated" / "docs"
DEMO_USER = SYSTEM_USER  # the demo CVs are loaded by the operator


def load_demo(*, if_empty: bool = True) -> int:
    """Import the generated demo CVs (synthetic people, never real ones) through the same intake
    as any upload; with `if_empty`, only into a database that has no candidates yet."""
    init_db()
    if if_empty:
        with session_scope() as session:
            if session.exec(select(func.count()).select_from(Candidate)).one():
                print("demo data: the database already has candidates; nothing imported")
                return 0
    files = sorted(DEMO_DIR.glob("*.pdf"))
    if not files:
        print(f"demo data: no demo files under {DEMO_DIR}")
        return 0
    return main(files, user=DEMO_USER, batch="demo")
