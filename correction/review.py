"""Review workflows: open a CV for correction, save decisions (optimistic locking), download.

Every decision is one appended Correction row; the parse result is never edited. Paths are the
stable paths of `data.record` (parse indices; an added list item takes the next index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from correction.bands import Band, band, score_fields
from data.db import begin_write
from data.models import (
    Candidate,
    CandidatePublic,
    Correction,
    CorrectionAction,
    CorrectionPublic,
    Document,
    DocumentPublic,
    ParseResult,
)
from data.queries import (
    NotFound,
    add_audit,
    corrections,
    get_candidate,
    set_scores,
    working_record,
)
from data.record import Record
from data.store import FileStore, default_store
from parsing.model import Field, ParsedCV, Source
from settings import get_settings


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One decision on one field: accept | edit | reject | add (value: the new value)."""

    path: str
    action: CorrectionAction
    value: Any = None
    source: Source | None = None  # where an edited/added value was picked in the document


@dataclass(frozen=True, slots=True)
class ReviewField:
    """A field as the correction page shows it."""

    path: str
    field: Field
    band: Band
    decision: str | None  # the latest action on this path; None = nobody decided yet


@dataclass(frozen=True, slots=True)
class ReviewTask:
    """Everything the correction and candidate pages render for one CV."""

    candidate: CandidatePublic
    document: DocumentPublic
    record: ParsedCV  # corrected values win over the raw parse
    fields: list[ReviewField]  # stable paths, in review order
    history: list[CorrectionPublic]


@dataclass(frozen=True, slots=True)
class Conflict:
    """Someone saved this CV after `expected_version`: their decisions, and ours (unsaved)."""

    candidate_id: int
    expected_version: int
    current_version: int
    theirs: list[CorrectionPublic]
    mine: list[FieldChange]

    @property
    def overlapping(self) -> list[str]:
        """Paths both saves decided: the ones a person must merge."""
        return sorted({c.field_path for c in self.theirs} & {c.path for c in self.mine})

    @property
    def mergeable(self) -> list[FieldChange]:
        """Our changes on paths they did not touch: safe to re-save on current_version."""
        taken = {c.field_path for c in self.theirs}
        return [c for c in self.mine if c.path not in taken]


@dataclass(frozen=True, slots=True)
class SaveResult:
    """Outcome of a save; `conflict` is set (and nothing was written) when the version was stale."""

    candidate_id: int
    version: int
    status: str
    n_changed: int = 0
    n_accepted: int = 0
    correction_ids: list[int] = field(default_factory=list)
    conflict: Conflict | None = None

    @property
    def ok(self) -> bool:
        """True when the decisions were written."""
        return self.conflict is None


def open_candidate(*, session: Session, candidate_id: int, user: str) -> ReviewTask:
    """Load a CV for review or display, and log the view; commits."""
    begin_write(session)
    cand = get_candidate(session=session, candidate_id=candidate_id)
    doc = session.get(Document, cand.document_id)
    if doc is None:
        raise NotFound(f"no document {cand.document_id}")
    record = working_record(session=session, candidate_id=candidate_id)
    rows = corrections(session=session, candidate_id=candidate_id)
    decided = {c.field_path: c.action for c in rows}
    threshold = get_settings().auto_accept_precision
    fields = [
        ReviewField(path, f, band(f.confidence, threshold), decided.get(path))
        for path, f in record.iter_fields()
    ]
    add_audit(session=session, user=user, action="view", candidate_id=candidate_id)
    task = ReviewTask(
        candidate=CandidatePublic.model_validate(cand),
        document=DocumentPublic.model_validate(doc),
        record=record.to_parsed(),
        fields=fields,
        history=[CorrectionPublic.model_validate(c) for c in rows],
    )
    session.commit()
    return task


def save_corrections(
    *,
    session: Session,
    candidate_id: int,
    user: str,
    expected_version: int,
    changes: list[FieldChange],
    seconds_spent: float,
    done: bool | None = None,
) -> SaveResult:
    """Append one Correction per decision and bump the candidate's version; commits.

    A stale `expected_version` writes nothing and returns a Conflict with the other saves'
    corrections. done: True marks the CV reviewed, False keeps it in review, None = reviewed once
    every present field has a decision. Raises PathError (writing nothing) for a change that fits
    no field.
    """
    begin_write(session)
    try:
        cand = get_candidate(session=session, candidate_id=candidate_id)
        if cand.version_id != expected_version:
            return _conflict(session, candidate_id, expected_version, changes)
        record = working_record(session=session, candidate_id=candidate_id)
        if cand.version_id != expected_version:  # that read refreshed it: someone just saved
            return _conflict(session, candidate_id, expected_version, changes)
        rows = _correction_rows(session, cand, record, changes, user, seconds_spent)
        if not rows:
            session.rollback()
            return SaveResult(candidate_id, cand.version_id, cand.status)
        decided = {c.field_path for c in corrections(session=session, candidate_id=candidate_id)}
        decided |= {r.field_path for r in rows}
        present = record.iter_fields()
        complete = all(path in decided for path, _ in present) if done is None else done
        name = record.get("name")
        set_scores(
            cand,
            score_fields(f for _, f in present),
            display_name=str(name["value"]) if name else None,
        )
        cand.status = "reviewed" if complete else "in_review"
        n_accepted = sum(r.action == "accept" for r in rows)
        session.add(cand)
        session.add_all(rows)
        detail = {
            "version": expected_version + 1,
            "changed": len(rows) - n_accepted,
            "accepted": n_accepted,
            "seconds": seconds_spent,
        }
        add_audit(
            session=session, user=user, action="correct", candidate_id=candidate_id, detail=detail
        )
        session.flush()  # UPDATE candidate ... WHERE version_id = expected: the database's guard
    except StaleDataError:
        return _conflict(session, candidate_id, expected_version, changes)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return SaveResult(
        candidate_id=candidate_id,
        version=cand.version_id,
        status=cand.status,
        n_changed=len(rows) - n_accepted,
        n_accepted=n_accepted,
        correction_ids=[r.id for r in rows if r.id is not None],
    )


def _correction_rows(
    session: Session,
    cand: Candidate,
    record: Record,
    changes: list[FieldChange],
    user: str,
    seconds_spent: float,
) -> list[Correction]:
    """Check each change against the record as it evolves, and build its Correction row."""
    result = session.get(ParseResult, cand.parse_result_id)
    assert result is not None and cand.id is not None
    rows: list[Correction] = []
    for ch in changes:
        p = record.check(ch.path, ch.action)
        node = record.get(p)
        is_field = isinstance(node, dict) and not p.is_entry
        old_value = node.get("value") if is_field else node
        new_value = {"accept": old_value, "reject": None}.get(ch.action, ch.value)
        src = ch.source.model_dump(mode="json", exclude_none=True) if ch.source else None
        rows.append(
            Correction(
                candidate_id=cand.id,
                parse_result_id=cand.parse_result_id,
                username=user,
                field_path=str(p),
                action=ch.action,
                old_value=old_value,
                new_value=new_value,
                new_source=src,
                old_confidence=node.get("confidence") if is_field else None,
                seconds_spent=seconds_spent,
                model_version=result.model_version,
                candidate_version=cand.version_id + 1,  # checked == expected by the caller
            )
        )
        record.apply(str(p), ch.action, new_value, src)
    return rows


def _conflict(
    session: Session, candidate_id: int, expected_version: int, changes: list[FieldChange]
) -> SaveResult:
    session.rollback()
    cand = get_candidate(session=session, candidate_id=candidate_id)
    theirs = corrections(session=session, candidate_id=candidate_id, after_version=expected_version)
    session.rollback()
    conflict = Conflict(
        candidate_id=candidate_id,
        expected_version=expected_version,
        current_version=cand.version_id,
        theirs=[CorrectionPublic.model_validate(c) for c in theirs],
        mine=list(changes),
    )
    return SaveResult(candidate_id, cand.version_id, cand.status, conflict=conflict)


def download_original(
    *, session: Session, candidate_id: int, user: str, store: FileStore | None = None
) -> tuple[str, bytes]:
    """(file name, bytes) of a candidate's original file; logged as an export; commits."""
    begin_write(session)
    cand = get_candidate(session=session, candidate_id=candidate_id)
    doc = session.get(Document, cand.document_id)
    if doc is None:
        raise NotFound(f"no document {cand.document_id}")
    name, digest = doc.name, doc.sha256
    add_audit(
        session=session,
        user=user,
        action="export",
        candidate_id=candidate_id,
        detail={"document_id": doc.id, "what": "original"},
    )
    session.commit()
    return name, (store or default_store()).get(digest)


def record_sign_in(*, session: Session, user: str) -> None:
    """Log a sign-in; commits."""
    begin_write(session)
    add_audit(session=session, user=user, action="sign_in")
    session.commit()
