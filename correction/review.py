"""Review workflows: open a CV for correction, save decisions (optimistic locking), download.

Every decision is one appended Correction row; the parse result is never edited. Paths are the
stable paths of `data.record` (parse indices; an added list item takes the next index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from correction.access import authorize
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
from data.record import ENTRIES, LISTS, FieldPath, PathError, Record
from data.store import FileStore, default_store
from parsing.model import Field, ParsedCV, Source
from settings import get_settings

EntryAction = Literal["merge", "order"]
ENTRY_ACTIONS: tuple[str, ...] = get_args(EntryAction)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One decision on one field: accept | edit | reject | add (value: the new value).

    Two entry actions are expanded, at save time and against the record as it is then, into
    plain rows (see `data.record`): `FieldChange("experience[2]", "merge", 1)` merges entry 2
    into entry 1; `FieldChange("experience", "order", [2, 0, 1])` puts the entries in that order.
    """

    path: str
    action: CorrectionAction | EntryAction
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
    # the stable index an added item of each list/entry group gets (skills, experience, ...)
    next_index: dict[str, int] = field(default_factory=dict)


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
    authorize(session=session, user=user, permission="review.view")
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
        next_index={group: record.next_index(group) for group in (*LISTS, *ENTRIES)},
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
    authorize(session=session, user=user, permission="review.correct")
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
    for ch in (step for change in changes for step in _expand(record, change)):
        assert ch.action not in ENTRY_ACTIONS
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


def _expand(record: Record, ch: FieldChange) -> list[FieldChange]:
    """A merge or reorder as the plain changes it is stored as; other changes as they are."""
    if ch.action == "merge":
        p = FieldPath.parse(ch.path)
        if not p.is_entry or not isinstance(ch.value, int):
            raise PathError(f"merge {ch.path!r} into an entry index, not {ch.value!r}")
        assert p.index is not None
        steps = record.merge_steps(p.group, p.index, ch.value)
    elif ch.action == "order":
        if ch.path not in ENTRIES or not isinstance(ch.value, list):
            raise PathError(f"order takes an entry group and a list of indices, not {ch.path!r}")
        steps = record.order_steps(ch.path, [int(i) for i in ch.value])
    else:
        return [ch]
    return [
        FieldChange(
            s.path,
            "add" if s.action == "add" else "reject",
            s.value,
            Source.model_validate(s.source) if s.source else None,
        )
        for s in steps
    ]


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


def merge_after_conflict(
    *,
    session: Session,
    conflict: Conflict,
    user: str,
    seconds_spent: float,
    override: bool = False,
) -> SaveResult:
    """Save our side of a conflict on the current version; commits (or returns a new conflict).

    The non-overlapping changes always go in; override=True also writes ours on the paths both
    decided (ours win). Each change is refitted to the record as it is now: an edit of a value
    they rejected becomes an add, an add where they put a value becomes an edit, a reject or
    accept of a value that is gone is dropped; items we added to a list or as a new entry get
    fresh indices, so they never collide with items they added.
    """
    authorize(session=session, user=user, permission="review.correct")
    begin_write(session)
    record = working_record(session=session, candidate_id=conflict.candidate_id)
    session.rollback()
    theirs_added = {c.field_path for c in conflict.theirs if c.action == "add"}
    taken = {c.field_path for c in conflict.theirs}
    nexts = {g: record.next_index(g) for g in (*LISTS, *ENTRIES)}
    moved: dict[tuple[str, int], int] = {}
    changes: list[FieldChange] = []
    for ch in conflict.mine:
        if ch.action in ENTRY_ACTIONS:  # expanded against the record as it is now
            changes.append(ch)
            continue
        p = FieldPath.parse(ch.path)
        if ch.action == "add" and _new_item(record, p, theirs_added):
            assert p.index is not None
            key = (p.group, p.index)
            if key not in moved:
                moved[key], nexts[p.group] = nexts[p.group], nexts[p.group] + 1
            path = str(FieldPath(p.group, moved[key], p.comp))
            changes.append(FieldChange(path, "add", ch.value, ch.source))
        elif override or ch.path not in taken:
            fitted = _refit(ch, present=record.get(p) is not None, is_entry=p.is_entry)
            if fitted is not None:
                changes.append(fitted)
    return save_corrections(
        session=session,
        candidate_id=conflict.candidate_id,
        user=user,
        expected_version=conflict.current_version,
        changes=changes,
        seconds_spent=seconds_spent,
    )


def _new_item(record: Record, p: FieldPath, theirs_added: set[str]) -> bool:
    """True when an add creates a list item or an entry (not a missing part of an old entry)."""
    if p.index is None:
        return False
    if p.group in LISTS:
        return True
    entry = record.get(FieldPath(p.group, p.index))
    if not entry:
        return True
    present = {f"{p.group}[{p.index}].{k}" for k, v in entry.items() if v is not None}
    return present <= theirs_added  # the entry there is one they added


def _refit(ch: FieldChange, *, present: bool, is_entry: bool) -> FieldChange | None:
    """The change that does what `ch` meant on the current record; None = nothing left to do."""
    if ch.action in ("accept", "reject"):
        return ch if present else None
    if is_entry:
        return None
    action: CorrectionAction = "edit" if present else "add"
    return FieldChange(ch.path, action, ch.value, ch.source)


def download_original(
    *, session: Session, candidate_id: int, user: str, store: FileStore | None = None
) -> tuple[str, bytes]:
    """(file name, bytes) of a candidate's original file; logged as an export; commits."""
    authorize(session=session, user=user, permission="review.view")
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
