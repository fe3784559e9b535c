"""Find, export and delete every row held about one candidate (or one document), generically.

The rows are found through `SQLModel.metadata`, not a hand-kept list, so tables added later are
covered without touching this file: starting from the candidate, its document and their parse
results, a table's row belongs to the candidate when a column named `candidate_id`,
`document_id` or `parse_result_id`, or any foreign key, points at a row that already belongs to
it (tables are visited parents first, so the set closes transitively). The audit log is kept:
its rows hold ids and counts, never personal data, and must outlive the erasure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, or_, select
from sqlmodel import Session, SQLModel, col

import data.models  # noqa: F401  (every table is registered on SQLModel.metadata)
from data.models import Candidate, Document, MaintenanceRun, ParseResult
from data.store import SHA256_RE

KEEP_TABLES = frozenset({"auditevent"})  # the log outlives an erasure (no personal data in it)
ROOT_COLUMNS = {
    "candidate_id": "candidate",
    "document_id": "document",
    "parse_result_id": "parseresult",
}


@dataclass(slots=True)
class Holding:
    """What is held about one person: row ids per table and the stored files' digests."""

    ids: dict[str, set[Any]] = field(default_factory=dict)
    conditions: dict[str, ColumnElement[bool]] = field(default_factory=dict)
    digests: set[str] = field(default_factory=set)

    def counts(self) -> dict[str, int]:
        """Rows per table (tables with none are left out)."""
        return {name: len(ids) for name, ids in sorted(self.ids.items()) if ids}


def _links(table: Table) -> list[tuple[Any, str]]:
    """(column, referenced table) for every foreign key and every root-named column."""
    links = [(fk.parent, fk.column.table.name) for fk in table.foreign_keys]
    linked = {c.name for c, _ in links}
    links += [
        (table.c[name], target)
        for name, target in ROOT_COLUMNS.items()
        if name in table.c and name not in linked
    ]
    return links


def find_holding(
    *, session: Session, candidate_ids: Iterable[int] = (), document_ids: Iterable[int] = ()
) -> Holding:
    """Every row (outside the audit log) about these candidates and documents."""
    docs = set(document_ids)
    cands = set(candidate_ids)
    if cands:
        by_cand = select(col(Candidate.document_id)).where(col(Candidate.id).in_(cands))
        docs |= set(session.execute(by_cand).scalars())
    if docs:
        by_doc = select(col(Candidate.id)).where(col(Candidate.document_id).in_(docs))
        cands |= {i for i in session.execute(by_doc).scalars() if i is not None}
    parses = select(col(ParseResult.id)).where(col(ParseResult.document_id).in_(docs))
    holding = Holding(
        ids={
            "candidate": cands,
            "document": docs,
            "parseresult": set(session.execute(parses).scalars()),
        }
    )
    for table in SQLModel.metadata.sorted_tables:  # parents before children
        if table.name in KEEP_TABLES:
            continue
        conds = [c.in_(holding.ids[t]) for c, t in _links(table) if holding.ids.get(t)]
        if table.name in holding.ids and holding.ids[table.name] and "id" in table.c:
            conds.append(table.c.id.in_(holding.ids[table.name]))
        if not conds:
            continue
        condition = or_(*conds)
        holding.conditions[table.name] = condition
        pk = list(table.primary_key.columns)
        if len(pk) == 1:
            found = set(session.execute(select(pk[0]).where(condition)).scalars())
            holding.ids[table.name] = holding.ids.get(table.name, set()) | found
        else:
            holding.ids[table.name] = {
                tuple(r) for r in session.execute(select(*pk).where(condition))
            }
    if docs:
        shas = select(col(Document.sha256)).where(col(Document.id).in_(docs))
        holding.digests = set(session.execute(shas).scalars())
    return holding


def export_rows(*, session: Session, holding: Holding) -> dict[str, list[dict[str, Any]]]:
    """The held rows, table by table, as JSON-ready dicts."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table in SQLModel.metadata.sorted_tables:
        condition = holding.conditions.get(table.name)
        if condition is None:
            continue
        rows = session.execute(select(table).where(condition)).mappings().all()
        if rows:
            out[table.name] = [{k: _jsonable(v) for k, v in row.items()} for row in rows]
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def delete_holding(*, session: Session, holding: Holding) -> dict[str, int]:
    """Delete every held row, children first; rows deleted per table (flushes, no commit)."""
    deleted: dict[str, int] = {}
    for table in reversed(SQLModel.metadata.sorted_tables):
        condition = holding.conditions.get(table.name)
        if condition is None:
            continue
        n = session.execute(delete(table).where(condition)).rowcount  # type: ignore[attr-defined]
        if n:
            deleted[table.name] = int(n)
    session.expire_all()
    return deleted


def digests_in_use(*, session: Session, digests: Iterable[str]) -> set[str]:
    """Which of these digests another document row still names (their bytes must stay)."""
    wanted = set(digests)
    if not wanted:
        return set()
    stmt = select(col(Document.sha256)).where(col(Document.sha256).in_(wanted))
    return set(session.execute(stmt).scalars())


def all_digests(*, session: Session) -> set[str]:
    """The digest of every document row (to find orphan files in the store)."""
    return set(session.execute(select(col(Document.sha256))).scalars())


def expired(*, session: Session, before: datetime) -> tuple[list[int], list[int]]:
    """(candidate ids with no activity since `before`, ids of documents without a candidate
    uploaded before it)."""
    cands = session.execute(
        select(col(Candidate.id)).where(col(Candidate.last_activity_at) < before)
    ).scalars()
    has_cand = select(col(Candidate.document_id))
    docs = session.execute(
        select(col(Document.id))
        .where(col(Document.uploaded_at) < before)
        .where(col(Document.id).not_in(has_cand))
    ).scalars()
    return sorted(cands), sorted(docs)


def last_run(*, session: Session, task: str) -> datetime | None:
    """When a periodic task last ran (None = never)."""
    row = session.get(MaintenanceRun, task)
    return row.last_run_at if row else None


def mark_run(*, session: Session, task: str, at: datetime) -> None:
    """Record that a periodic task ran at `at` (flushes)."""
    row = session.get(MaintenanceRun, task) or MaintenanceRun(task=task, last_run_at=at)
    row.last_run_at = at
    session.add(row)
    session.flush()


def orphan_digests(*, root: Path, in_use: set[str], older_than: datetime) -> list[str]:
    """Digests of stored files no document names, last written before `older_than` (a newer
    one may belong to an upload whose row has not committed yet)."""
    if not root.is_dir():
        return []
    cutoff = older_than.timestamp()
    return sorted(
        p.name
        for p in root.glob("??/??/*")
        if SHA256_RE.match(p.name) and p.name not in in_use and p.stat().st_mtime < cutoff
    )
