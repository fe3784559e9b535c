"""Data protection workflows: erasure on request, retention purge, subject-access export.

Erasure and purge reach the stored file, every row about the candidate in every table (found
generically by `data.privacy`, so derived features and training examples added later are covered)
and flag models trained on their corrections for retraining. What stays is the audit log, whose
rows hold ids and counts only. Rows go first (one transaction), files after the commit: a crash
in between leaves an orphan file, which the next purge removes.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session

from correction.access import SYSTEM_USER, authorize
from data.db import begin_write
from data.models import Document, utcnow
from data.privacy import (
    Holding,
    all_digests,
    delete_holding,
    digests_in_use,
    expired,
    export_rows,
    find_holding,
    last_run,
    mark_run,
    orphan_digests,
)
from data.queries import NotFound, add_audit, audit_events, current_record, get_candidate
from data.store import FileStore, default_store
from settings import get_settings

log = logging.getLogger(__name__)

REASONS: dict[str, str] = {
    "erasure_request": "the candidate asked for erasure",
    "consent_withdrawn": "the candidate withdrew consent",
    "uploaded_in_error": "the file was uploaded by mistake",
    "other": "another lawful reason (recorded outside this app)",
}
PURGE_TASK = "retention_purge"
PURGE_EVERY = timedelta(days=1)
ORPHAN_GRACE = timedelta(hours=1)  # a younger unnamed file may be an upload still committing


@dataclass(frozen=True, slots=True)
class ErasureReport:
    """What an erasure removed: rows per table, files deleted, models flagged for retraining."""

    candidate_id: int
    rows: dict[str, int]
    files_deleted: int
    models_flagged: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PurgeReport:
    """What a retention purge removed (or, with dry_run, would remove)."""

    cutoff: datetime
    candidates: int
    documents: int  # documents without a candidate (failed parses)
    rows: dict[str, int]
    files_deleted: int
    orphan_files: int
    models_flagged: list[str] = field(default_factory=list)
    dry_run: bool = False


def _flag_models(session: Session, candidate_ids: set[Any]) -> list[str]:
    """Flag model versions trained on these candidates' corrections (when learning/ has them)."""
    try:
        registry = importlib.import_module("learning.registry")
    except ImportError:
        return []
    flag = getattr(registry, "flag_for_retraining", None)
    if flag is None:
        return []
    flagged: list[str] = []
    for cid in sorted(candidate_ids):
        flagged += [v for v in flag(session=session, candidate_id=cid) if v not in flagged]
    return flagged


def _delete_files(session: Session, store: FileStore, digests: set[str]) -> int:
    """Delete the bytes no remaining document names (content-addressed: the same bytes may be
    another document's); failures are logged by digest prefix and left to the next purge."""
    keep = digests_in_use(session=session, digests=digests)
    session.rollback()
    deleted = 0
    for digest in sorted(digests - keep):
        try:
            deleted += store.delete(digest)
        except OSError:
            log.warning("could not delete stored file %s…; the next purge retries", digest[:12])
    return deleted


def erase_candidate(
    *,
    session: Session,
    user: str,
    candidate_id: int,
    reason: str,
    store: FileStore | None = None,
) -> ErasureReport:
    """Erase one candidate: file, rows in every table, model flags; audited; commits.

    `reason` is one of REASONS (a code, so no personal data reaches the audit log).
    """
    if reason not in REASONS:
        raise ValueError(f"The reason must be one of: {', '.join(REASONS)}.")
    authorize(session=session, user=user, permission="privacy.erase")
    begin_write(session)
    try:
        get_candidate(session=session, candidate_id=candidate_id)
        holding = find_holding(session=session, candidate_ids=[candidate_id])
        flagged = _flag_models(session, holding.ids["candidate"])
        rows = delete_holding(session=session, holding=holding)
        detail = {"reason": reason, "rows": rows, "models_flagged": flagged}
        add_audit(
            session=session, user=user, action="delete", candidate_id=candidate_id, detail=detail
        )
    except BaseException:
        session.rollback()
        raise
    session.commit()
    files = _delete_files(session, store or default_store(), holding.digests)
    return ErasureReport(candidate_id, rows, files, flagged)


def purge_expired(
    *,
    session: Session,
    user: str,
    now: datetime | None = None,
    dry_run: bool = False,
    store: FileStore | None = None,
) -> PurgeReport:
    """Delete everything about candidates inactive for settings.retention_days, and documents
    without a candidate uploaded before then, plus orphan files; commits (nothing with dry_run).
    """
    authorize(session=session, user=user, permission="privacy.purge")
    now = now or utcnow()
    cutoff = now - timedelta(days=get_settings().retention_days)
    store = store or default_store()
    begin_write(session)
    try:
        cands, docs = expired(session=session, before=cutoff)
        holding = find_holding(session=session, candidate_ids=cands, document_ids=docs)
        if dry_run:
            session.rollback()
            return PurgeReport(cutoff, len(cands), len(docs), holding.counts(), 0, 0, dry_run=True)
        flagged = _flag_models(session, holding.ids["candidate"])
        rows = delete_holding(session=session, holding=holding)
        _audit_purge(session, user, cands, docs, cutoff)
        mark_run(session=session, task=PURGE_TASK, at=now)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    files = _delete_files(session, store, holding.digests)
    orphans = orphan_digests(
        root=store.root, in_use=all_digests(session=session), older_than=now - ORPHAN_GRACE
    )
    session.rollback()
    n_orphans = _delete_files(session, store, set(orphans))
    return PurgeReport(cutoff, len(cands), len(docs), rows, files, n_orphans, flagged)


def _audit_purge(
    session: Session, user: str, cands: list[int], docs: list[int], cutoff: datetime
) -> None:
    for cid in cands:
        detail = {"reason": "retention", "cutoff": cutoff.isoformat()}
        add_audit(session=session, user=user, action="delete", candidate_id=cid, detail=detail)
    for doc_id in docs:
        add_audit(
            session=session,
            user=user,
            action="delete",
            detail={"reason": "retention", "document_id": doc_id, "cutoff": cutoff.isoformat()},
        )


def purge_if_due(
    *, session: Session, now: datetime | None = None, store: FileStore | None = None
) -> PurgeReport | None:
    """Run the retention purge as SYSTEM_USER unless one ran in the last day (shared marker in
    the database, so many app processes and workers purge once); None = not due."""
    now = now or utcnow()
    last = last_run(session=session, task=PURGE_TASK)
    session.rollback()
    if last is not None and now - last < PURGE_EVERY:
        return None
    return purge_expired(session=session, user=SYSTEM_USER, now=now, store=store)


def subject_access(
    *, session: Session, user: str, candidate_id: int, store: FileStore | None = None
) -> bytes:
    """A ZIP of everything held on one candidate: the original file, the corrected record,
    every row about them in every table, and the audit events about them; audited; commits."""
    authorize(session=session, user=user, permission="privacy.subject_access")
    begin_write(session)
    try:
        cand = get_candidate(session=session, candidate_id=candidate_id)
        doc = session.get(Document, cand.document_id)
        if doc is None:
            raise NotFound(f"no document {cand.document_id}")
        add_audit(
            session=session,
            user=user,
            action="export",
            candidate_id=candidate_id,
            detail={"what": "subject_access"},
        )
        holding = find_holding(session=session, candidate_ids=[candidate_id])
        payload = _payload(session, candidate_id, holding)
        name, digest = Path(doc.name).name or "original", doc.sha256
    except BaseException:
        session.rollback()
        raise
    session.commit()
    try:
        original: bytes | None = (store or default_store()).get(digest)
    except OSError:
        original = None
    return _zip(payload, name, original)


def _payload(session: Session, candidate_id: int, holding: Holding) -> dict[str, Any]:
    events = audit_events(session=session, candidate_id=candidate_id)
    return {
        "candidate_id": candidate_id,
        "generated_at": utcnow().isoformat(),
        "record": current_record(session=session, candidate_id=candidate_id).to_dict(),
        "tables": export_rows(session=session, holding=holding),
        "audit_events": [
            {"at": e.at.isoformat(), "user": e.username, "action": e.action, "detail": e.detail}
            for e in events
        ],
    }


README = """Everything CV Assist holds about one candidate (a subject-access export).

record.json    the CV as parsed, with every recruiter correction applied
held.json      every stored row about the candidate, table by table (parse results, extracted
               field values, corrections with who and when, jobs, derived data), and the audit
               events about the candidate (who viewed, corrected or exported it, and when)
original/      the file as it was uploaded (missing if it could not be read from the store)
"""


def _zip(payload: dict[str, Any], name: str, original: bytes | None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("README.txt", README)
        zf.writestr("record.json", json.dumps(payload["record"], indent=2, ensure_ascii=False))
        held = {k: v for k, v in payload.items() if k != "record"}
        zf.writestr("held.json", json.dumps(held, indent=2, ensure_ascii=False, default=str))
        if original is not None:
            zf.writestr(f"original/{name}", original)
    return buf.getvalue()
