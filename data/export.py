"""Candidates for export, streamed in pages: filters in SQL, corrections replayed per page.

One page of candidates (keyset pagination over candidate id) costs two queries: the candidates
with their current parse, and every correction of those candidates. Corrections are replayed in
memory, so the record exported is the one the Candidate page shows (corrected values win).

Filters on extracted values (skills, languages, years of experience) run in SQL on the flat
`FieldValue` rows of the parse. A recruiter's edit, addition or rejection can change those values,
so a candidate with such a correction on the filtered field also passes the SQL filter, and the
filter is checked again on the replayed record: the result is exact, and SQL still does the work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from sqlalchemy import (
    Float,
    Text,
    and_,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from data.models import Candidate, Correction, Document, FieldValue, ParseResult
from data.record import ENTRIES, LISTS, Record
from parsing.model import ParsedCV

PAGE_SIZE = 500  # candidates per page: two queries each
DateField = Literal["uploaded", "activity"]
SkillMode = Literal["any", "all"]
CHANGING = ("edit", "add", "reject")
Fields = dict[
    str, Any
]  # ParsedCV.fields as JSON  # correction actions that can change a filtered value


@dataclass(frozen=True, slots=True)
class ExportFilters:
    """Which candidates to export; None (or an empty tuple) = no filter on that.

    Dates are timezone-aware: `since` inclusive, `until` exclusive, on the upload time or the last
    review activity (`date_field`). Skills match any or all of those given (`skill_mode`); every
    language given must be spoken. Skills and languages compare case-insensitively with the
    normalized value or the value as written.
    """

    since: datetime | None = None
    until: datetime | None = None
    date_field: DateField = "uploaded"
    batch_id: int | None = None
    statuses: tuple[str, ...] = ()
    reviewed_only: bool = False
    skills: tuple[str, ...] = ()
    skill_mode: SkillMode = "any"
    languages: tuple[str, ...] = ()
    min_years: float | None = None
    max_years: float | None = None

    def __post_init__(self) -> None:
        for when in (self.since, self.until):
            if when is not None and when.tzinfo is None:
                raise ValueError("naive datetime: pass a timezone-aware value")
        if self.date_field not in ("uploaded", "activity"):
            raise ValueError(f"unknown date field {self.date_field!r}")
        if self.skill_mode not in ("any", "all"):
            raise ValueError(f"unknown skill mode {self.skill_mode!r}")

    @property
    def on_values(self) -> bool:
        """True when a filter looks at extracted values (checked again after corrections)."""
        return bool(self.skills or self.languages) or self._years

    @property
    def _years(self) -> bool:
        return self.min_years is not None or self.max_years is not None

    def to_audit(self) -> dict[str, Any]:
        """The filters as JSON for the audit log (criteria only, never a candidate's data)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value == f.default:
                continue
            if isinstance(value, datetime):
                value = value.isoformat()
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    # --- checks on a replayed record (the same meaning as the SQL below) ---

    def matches(self, fields: Fields) -> bool:
        """Whether a current record's fields (as JSON) pass the value filters."""
        if self.skills:
            have = {_fold(v) for s in fields.get("skills") or [] for v in _both(s)}
            hits = [_fold(s) in have for s in self.skills]
            if not (all(hits) if self.skill_mode == "all" else any(hits)):
                return False
        if self.languages:
            entries = fields.get("languages") or []
            spoken = {_fold(v) for e in entries for v in _both(e.get("language"))}
            if not all(_fold(lang) in spoken for lang in self.languages):
                return False
        if self._years:
            years = _number(key(fields.get("total_experience_years")))
            if years is None:
                return False
            if self.min_years is not None and years < self.min_years:
                return False
            if self.max_years is not None and years > self.max_years:
                return False
        return True


@dataclass(frozen=True, slots=True)
class ExportCandidate:
    """One candidate as exported: review state, upload facts and the current record."""

    candidate_id: int
    document_id: int
    sha256: str
    file_name: str
    status: str
    batch_id: int | None
    uploaded_at: datetime
    last_activity_at: datetime
    model_version: str | None
    fields: Fields  # the latest parse's fields with every correction replayed, as JSON
    header: dict[str, Any]  # the rest of the parse (file, status, language, ...)

    def record(self) -> ParsedCV:
        """The current record as a validated ParsedCV (slower than reading `fields`)."""
        return ParsedCV.model_validate({**self.header, "fields": self.fields})


def key(node: Any) -> Any:
    """A field node's comparison value: its normalized form where there is one."""
    if not isinstance(node, dict):
        return None
    norm = node.get("normalized")
    return norm if norm is not None else node.get("value")


def _both(node: Any) -> tuple[Any, ...]:
    return (key(node), node.get("value")) if isinstance(node, dict) else ()


def _fold(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


# --- SQL ---------------------------------------------------------------------------------------


def _json_text(column: Any, dialect: str) -> ColumnElement[Any]:
    """The text of a JSON scalar (a string without its quotes), on SQLite and PostgreSQL."""
    if dialect == "postgresql":
        return column.op("#>>")(literal_column("'{}'::text[]"))
    return func.json_extract(column, "$")


def _json_number(column: Any, dialect: str) -> ColumnElement[Any]:
    """A JSON number as a float; NULL for anything else (a reviewer's free text, say)."""
    if dialect == "postgresql":
        is_number = func.jsonb_typeof(column) == "number"
    else:
        is_number = func.json_type(column).in_(["integer", "real"])
    return case((is_number, cast(_json_text(column, dialect), Float)), else_=None)


def _value_in(field: str, wanted: Sequence[str], dialect: str) -> ColumnElement[bool]:
    """The candidate's parse has a value of `field` equal (case-folded) to one of `wanted`."""
    folded = [w.strip().casefold() for w in wanted]
    return exists().where(
        col(FieldValue.parse_result_id) == col(Candidate.parse_result_id),
        col(FieldValue.field) == field,
        or_(
            func.lower(_json_text(col(FieldValue.normalized), dialect)).in_(folded),
            func.lower(_json_text(col(FieldValue.value), dialect)).in_(folded),
        ),
    )


def _corrected(group: str) -> ColumnElement[bool]:
    """The candidate has a correction that may change a value of this group."""
    return exists().where(
        col(Correction.candidate_id) == col(Candidate.id),
        col(Correction.field_path).like(f"{group}%"),
        col(Correction.action).in_(CHANGING),
    )


def _value_conditions(filters: ExportFilters, dialect: str) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = []
    if filters.skills:
        per_skill = [_value_in("skills", [s], dialect) for s in filters.skills]
        hit = and_(*per_skill) if filters.skill_mode == "all" else or_(*per_skill)
        conds.append(or_(hit, _corrected("skills[")))
    if filters.languages:
        spoken = and_(*(_value_in("languages.language", [g], dialect) for g in filters.languages))
        conds.append(or_(spoken, _corrected("languages[")))
    if filters.min_years is not None or filters.max_years is not None:
        years = _json_number(col(FieldValue.normalized), dialect)
        bounds = []
        if filters.min_years is not None:
            bounds.append(years >= filters.min_years)
        if filters.max_years is not None:
            bounds.append(years <= filters.max_years)
        in_range = exists().where(
            col(FieldValue.parse_result_id) == col(Candidate.parse_result_id),
            col(FieldValue.field) == "total_experience_years",
            *bounds,
        )
        conds.append(or_(in_range, _corrected("total_experience_years")))
    return conds


def _conditions(filters: ExportFilters, dialect: str) -> list[ColumnElement[bool]]:
    """Every filter as a SQL condition on Candidate joined to Document."""
    conds: list[ColumnElement[bool]] = []
    when = col(Document.uploaded_at) if filters.date_field == "uploaded" else None
    when = when if when is not None else col(Candidate.last_activity_at)
    if filters.since is not None:
        conds.append(when >= _utc(filters.since))
    if filters.until is not None:
        conds.append(when < _utc(filters.until))
    if filters.batch_id is not None:
        conds.append(col(Document.batch_id) == filters.batch_id)
    statuses = ("reviewed",) if filters.reviewed_only else filters.statuses
    if statuses:
        conds.append(col(Candidate.status).in_(list(statuses)))
    return conds + _value_conditions(filters, dialect)


def _page_query(filters: ExportFilters, dialect: str, after: int, size: int) -> Any:
    return (
        select(
            col(Candidate.id),
            col(Candidate.document_id),
            col(Document.sha256),
            col(Document.name),
            col(Candidate.status),
            col(Document.batch_id),
            col(Document.uploaded_at),
            col(Candidate.last_activity_at),
            # the JSON text, decoded with orjson below: decoding is most of an export's time
            cast(col(ParseResult.parsed), Text).label("parsed"),
        )
        .join(Document, col(Document.id) == col(Candidate.document_id))
        .join(ParseResult, col(ParseResult.id) == col(Candidate.parse_result_id))
        .where(*_conditions(filters, dialect), col(Candidate.id) > after)
        .order_by(col(Candidate.id))
        .limit(size)
    )


def _corrections_of(session: Session, ids: list[int]) -> dict[int, list[Any]]:
    """The value-changing corrections of these candidates, oldest first, by candidate (one
    query). Accepts only raise a confidence to 1.0, and exports carry no confidences: most rows
    are accepts, so leaving them out is most of the replay saved."""
    stmt = (
        select(
            col(Correction.candidate_id),
            col(Correction.field_path),
            col(Correction.action),
            col(Correction.new_value),
            null().label("new_source"),  # exports carry values, not where they were found
        )
        .where(col(Correction.candidate_id).in_(ids), col(Correction.action).in_(CHANGING))
        .order_by(col(Correction.id))
    )
    out: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(stmt):
        out[row.candidate_id].append(row)
    return out


class _Tree(Record):
    """A Record over the fields' JSON as stored, without validating it into a ParsedCV first
    (replaying corrections only touches the tree; validation is most of the cost per CV)."""

    def __init__(self, tree: Fields) -> None:
        self.tree = tree


def _closed(tree: Fields) -> Fields:
    """The tree with the holes rejected items left closed, as Record.to_parsed closes them."""
    out = dict(tree)
    for group, items in tree.items():
        if group in LISTS and isinstance(items, list):
            out[group] = [item for item in items if item is not None]
        elif group in ENTRIES and isinstance(items, list):
            out[group] = [e for e in items if e and any(v is not None for v in e.values())]
        elif items is None:
            del out[group]
    return out


def _current(text: str, rows: list[Any]) -> tuple[Fields, dict[str, Any]]:
    parsed = orjson.loads(text)
    fields = parsed.pop("fields", None) or {}
    if rows:
        fields = _closed(_Tree(fields).replay(rows).tree)
    return fields, parsed


def iter_export(
    *, session: Session, filters: ExportFilters, page_size: int = PAGE_SIZE
) -> Iterator[ExportCandidate]:
    """Matching candidates by id with their current records, one page in memory at a time."""
    dialect = session.get_bind().dialect.name
    after = 0
    while True:
        page = session.execute(_page_query(filters, dialect, after, page_size)).all()
        if not page:
            return
        fixes = _corrections_of(session, [row[0] for row in page])
        for cid, doc_id, sha, name, status, batch, uploaded, active, parsed in page:
            fields, header = _current(parsed, fixes.get(cid, []))
            if filters.on_values and not filters.matches(fields):
                continue
            version = header.get("model_version")
            yield ExportCandidate(
                cid, doc_id, sha, name, status, batch, uploaded, active, version, fields, header
            )
        after = page[-1][0]
        if len(page) < page_size:
            return


def count_export(*, session: Session, filters: ExportFilters) -> int:
    """How many candidates an export with these filters holds (exact, after corrections)."""
    dialect = session.get_bind().dialect.name
    base = (
        select(func.count())
        .select_from(Candidate)
        .join(Document, col(Document.id) == col(Candidate.document_id))
    )
    total = int(session.execute(base.where(*_conditions(filters, dialect))).scalar_one())
    if not filters.on_values:
        return total
    # Only candidates with a value-changing correction can fail the check after replay.
    groups = ("skills[", "languages[", "total_experience_years")
    doubtful = or_(*(_corrected(g) for g in groups))
    stmt = base.where(*_conditions(filters, dialect), doubtful)
    n_doubtful = int(session.execute(stmt).scalar_one())
    if n_doubtful == 0:
        return total
    passed = sum(1 for _ in _iter_where(session, filters, dialect, doubtful))
    return total - n_doubtful + passed


def _iter_where(
    session: Session, filters: ExportFilters, dialect: str, extra: ColumnElement[bool]
) -> Iterator[int]:
    """Ids of candidates passing the filters and `extra`, checked on the replayed record."""
    after = 0
    while True:
        stmt = _page_query(filters, dialect, after, PAGE_SIZE).where(extra)
        page = session.execute(stmt).all()
        if not page:
            return
        fixes = _corrections_of(session, [row[0] for row in page])
        for row in page:
            if filters.matches(_current(row[-1], fixes.get(row[0], []))[0]):
                yield row[0]
        after = page[-1][0]
