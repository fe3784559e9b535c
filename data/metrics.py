"""Dashboard aggregations in SQL (GROUP BY day/week, field, model version, batch, source): the
database returns counts, never every correction row. SQLite and PostgreSQL.

A correction's *field* is its path without indices (`experience[2].title` → `experience.title`),
computed in SQL. A decision *changed* the value unless it was an `accept`; the correction rate is
changed / decisions. The *layout family* is a proxy computed in SQL: format + page-count bucket +
language (no layout fingerprint is stored with a parse).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import Date, Float, Integer, String, and_, case, cast, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from data.models import (
    Batch,
    Candidate,
    Correction,
    Document,
    DriftAlert,
    FieldValue,
    ParseResult,
)

Period = Literal["day", "week"]
Window = tuple[datetime, datetime]  # [start, end)
RateDimension = Literal["field", "model_version", "batch", "format"]
MIX_DIMENSIONS: tuple[str, ...] = ("language", "format", "pages", "empty_text")
OPEN_STATUSES: tuple[str, ...] = ("new", "in_review")
N_BINS = 10
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PeriodRate:
    """Decisions on one field in one day or week (period = its first day)."""

    field: str
    period: date
    n: int
    changed: int


@dataclass(frozen=True, slots=True)
class GroupRate:
    """Decisions in one group (a field, model version, batch or file format)."""

    key: str
    n: int
    changed: int


@dataclass(frozen=True, slots=True)
class FieldBin:
    """Recruiter outcomes on one field's values in one confidence bin."""

    field: str
    bin: int
    count: int
    mean_confidence: float
    accuracy: float  # share accepted unchanged


@dataclass(frozen=True, slots=True)
class DayActivity:
    """One day: CVs uploaded, CVs with a save, decisions saved."""

    day: date
    uploaded: int
    reviewed: int
    decisions: int


@dataclass(frozen=True, slots=True)
class AuditSample:
    """Auto-accepted values drawn for audit that a recruiter has decided, and how many they
    accepted unchanged (the unbiased precision estimate of auto-acceptance)."""

    n: int
    accepted: int


def _utc(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware value")
    return when.astimezone(UTC)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _between(column: Any, since: datetime | None, until: datetime | None) -> list[Any]:
    out = []
    if since is not None:
        out.append(column >= _utc(since))
    if until is not None:
        out.append(column < _utc(until))
    return out


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def period_start(dialect: str, column: Any, period: Period) -> ColumnElement[Any]:
    """The UTC day, or the Monday of the UTC week, of a timestamp column."""
    if dialect == "postgresql":
        utc = func.timezone("UTC", column)
        return cast(utc if period == "day" else func.date_trunc("week", utc), Date)
    if period == "day":
        return func.date(column)
    return func.date(column, "weekday 0", "-6 days")  # the next Sunday (or today), back to Monday


def field_name(dialect: str, path: Any) -> ColumnElement[Any]:
    """A field path without its index: `skills[3]` → `skills`, `experience[0].title` →
    `experience.title` (paths hold at most one index)."""
    bracket = func.strpos(path, "[") if dialect == "postgresql" else func.instr(path, "[")
    close = func.strpos(path, "]") if dialect == "postgresql" else func.instr(path, "]")
    stripped = func.substr(path, 1, bracket - 1, type_=String) + func.substr(
        path, close + 1, type_=String
    )
    return case((bracket > 0, stripped), else_=path)


def _changed() -> Any:
    return case((col(Correction.action) == "accept", 0), else_=1)


def rate_series(
    *,
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    period: Period = "week",
) -> list[PeriodRate]:
    """Decisions and changes per field per day or week, oldest first."""
    dialect = _dialect(session)
    start = period_start(dialect, col(Correction.at), period).label("period")
    inner = _per_path(start, where=_between(col(Correction.at), since, until))
    fld = field_name(dialect, inner.c.path).label("field")
    stmt = (
        select(fld, inner.c.period, func.sum(inner.c.n), func.sum(inner.c.changed))
        .group_by(fld, inner.c.period)
        .order_by(inner.c.period, fld)
    )
    return [PeriodRate(str(f), _as_date(p), int(n), int(c)) for f, p, n, c in session.execute(stmt)]


def _per_path(*keys: Any, where: list[Any]) -> Any:
    """Decisions and changes per raw field path (and keys): the field name's string functions
    then run on a few hundred grouped rows, not on every correction."""
    return (
        select(
            col(Correction.field_path).label("path"),
            *keys,
            func.count().label("n"),
            func.sum(_changed()).label("changed"),
        )
        .where(*where)
        .group_by(col(Correction.field_path), *keys)
        .subquery()
    )


def rates_by(
    *,
    session: Session,
    by: RateDimension,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[GroupRate]:
    """Decisions and changes grouped by field, model version, upload batch or file format;
    most decisions first."""
    dialect = _dialect(session)
    if by == "field":
        inner = _per_path(where=_between(col(Correction.at), since, until))
        fld = field_name(dialect, inner.c.path).label("key")
        by_field = (
            select(fld, func.sum(inner.c.n), func.sum(inner.c.changed))
            .group_by(fld)
            .order_by(func.sum(inner.c.n).desc(), fld)
        )
        return [GroupRate(str(k), int(n), int(c)) for k, n, c in session.execute(by_field)]
    if by == "model_version":
        key: Any = col(Correction.model_version)
    elif by == "batch":
        label = func.coalesce(col(Batch.label), literal(""))
        key = case(
            (col(Document.batch_id).is_(None), literal("no batch")),
            else_=literal("batch ") + cast(col(Document.batch_id), String) + literal(" ") + label,
        )
    elif by == "format":
        key = col(Document.format)
    else:
        raise ValueError(f"unknown dimension {by!r}")
    key = key.label("key")
    stmt = select(key, func.count(), func.sum(_changed())).where(
        *_between(col(Correction.at), since, until)
    )
    if by in ("batch", "format"):
        stmt = stmt.join(Candidate, col(Candidate.id) == col(Correction.candidate_id)).join(
            Document, col(Document.id) == col(Candidate.document_id)
        )
        if by == "batch":
            stmt = stmt.outerjoin(Batch, col(Batch.id) == col(Document.batch_id))
    stmt = stmt.group_by(key).order_by(func.count().desc(), key)
    return [GroupRate(str(k).strip(), int(n), int(c)) for k, n, c in session.execute(stmt)]


def outcome_bins(
    *,
    session: Session,
    since: datetime | None = None,
    until: datetime | None = None,
    n_bins: int = N_BINS,
) -> list[FieldBin]:
    """Per field and equal-width confidence bin: decisions on parsed values (adds have no
    confidence), their mean confidence and the share accepted unchanged."""
    dialect = _dialect(session)
    conf = col(Correction.old_confidence)
    scaled = conf * n_bins
    floor = func.floor(scaled) if dialect == "postgresql" else scaled
    bucket = case((conf >= 1.0, n_bins - 1), else_=cast(floor, Integer)).label("bin")
    accepted = case((col(Correction.action) == "accept", 1.0), else_=0.0)
    inner = (
        select(
            col(Correction.field_path).label("path"),
            bucket,
            func.count().label("n"),
            func.sum(conf).label("conf"),
            func.sum(accepted).label("accepted"),
        )
        .where(conf.is_not(None), col(Correction.action) != "add")
        .where(*_between(col(Correction.at), since, until))
        .group_by(col(Correction.field_path), bucket)
        .subquery()
    )
    fld = field_name(dialect, inner.c.path).label("field")
    stmt = (
        select(
            fld,
            inner.c.bin,
            func.sum(inner.c.n),
            func.sum(inner.c.conf),
            func.sum(inner.c.accepted),
        )
        .group_by(fld, inner.c.bin)
        .order_by(fld, inner.c.bin)
    )
    return [
        FieldBin(str(f), int(b), int(k), float(c) / int(k), float(a) / int(k))
        for f, b, k, c, a in session.execute(stmt)
    ]


def daily_activity(
    *, session: Session, since: datetime | None = None, until: datetime | None = None
) -> list[DayActivity]:
    """Per UTC day: CVs uploaded, distinct CVs with a save, decisions saved; oldest first."""
    dialect = _dialect(session)
    up_day = period_start(dialect, col(Document.uploaded_at), "day").label("day")
    uploads = session.execute(
        select(up_day, func.count())
        .where(*_between(col(Document.uploaded_at), since, until))
        .group_by(up_day)
    ).all()
    rev_day = period_start(dialect, col(Correction.at), "day").label("day")
    reviews = session.execute(
        select(rev_day, func.count(func.distinct(col(Correction.candidate_id))), func.count())
        .where(*_between(col(Correction.at), since, until))
        .group_by(rev_day)
    ).all()
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for d, n in uploads:
        days[_as_date(d)][0] = int(n)
    for d, cvs, n in reviews:
        days[_as_date(d)][1:] = [int(cvs), int(n)]
    return [DayActivity(d, *days[d]) for d in sorted(days)]


def median_seconds_per_cv(
    *, session: Session, since: datetime | None = None, until: datetime | None = None
) -> float | None:
    """Median over CVs of the time spent on them (each save's time counted once); None when
    nothing was saved. PostgreSQL: percentile_cont; SQLite: the middle row(s) by row_number."""
    saves = (
        select(
            col(Correction.candidate_id).label("cid"),
            func.max(col(Correction.seconds_spent)).label("seconds"),
        )
        .where(*_between(col(Correction.at), since, until))
        .group_by(col(Correction.candidate_id), col(Correction.candidate_version))
        .subquery()
    )
    per_cv = (
        select(saves.c.cid, func.sum(saves.c.seconds).label("seconds"))
        .group_by(saves.c.cid)
        .subquery()
    )
    if _dialect(session) == "postgresql":
        median = func.percentile_cont(0.5).within_group(per_cv.c.seconds)
        value = session.execute(select(median)).scalar()
    else:
        ranked = select(
            per_cv.c.seconds,
            func.row_number().over(order_by=per_cv.c.seconds).label("rn"),
            func.count().over().label("cnt"),
        ).subquery()
        middle = [(ranked.c.cnt + 1) // 2, (ranked.c.cnt + 2) // 2]  # the middle row(s)
        value = session.execute(
            select(func.avg(cast(ranked.c.seconds, Float))).where(ranked.c.rn.in_(middle))
        ).scalar()
    return float(value) if value is not None else None


def backlog(*, session: Session) -> int:
    """CVs not yet reviewed (new or in review)."""
    stmt = select(func.count()).where(col(Candidate.status).in_(OPEN_STATUSES))
    return int(session.execute(stmt).scalar_one())


def audit_sample(
    *, session: Session, since: datetime | None = None, until: datetime | None = None
) -> AuditSample | None:
    """Audited auto-accepted values with a recruiter decision in the window, and how many were
    accepted unchanged; None while field values carry no auto-accept decision (no audit yet)."""
    decision = getattr(FieldValue, "decision", None)
    if decision is None:
        return None
    per_value = (
        select(func.max(_changed()).label("changed"))
        .select_from(FieldValue)
        .join(
            Correction,
            and_(
                col(Correction.parse_result_id) == col(FieldValue.parse_result_id),
                col(Correction.field_path) == col(FieldValue.path),
            ),
        )
        .where(decision == "audit", *_between(col(Correction.at), since, until))
        .group_by(col(FieldValue.id))
        .subquery()
    )
    n, accepted = session.execute(
        select(func.count(), func.coalesce(func.sum(1 - per_value.c.changed), 0))
    ).one()
    return AuditSample(int(n), int(accepted))


def input_mix(
    *, session: Session, since: datetime | None = None, until: datetime | None = None
) -> dict[str, dict[str, int]]:
    """Parses in the window counted per input dimension: language, format, page-count bucket
    (1, 2, 3-4, 5+), empty text; and `layout` (the proxy: format · pages · language)."""
    where = _between(col(ParseResult.created_at), since, until)
    return _mixes(session, where, literal("all")).get("all") or _empty_mix()


def _empty_mix() -> dict[str, dict[str, int]]:
    return {d: {} for d in (*MIX_DIMENSIONS, "layout")}


def _mixes(session: Session, where: list[Any], side: Any) -> dict[str, dict[str, dict[str, int]]]:
    language = func.coalesce(col(ParseResult.parsed)["language"].as_string(), literal(UNKNOWN))
    pages = col(ParseResult.parsed)["pages"].as_integer()
    bucket = case(
        (pages.is_(None), literal(UNKNOWN)),
        (pages <= 1, literal("1")),
        (pages == 2, literal("2")),
        (pages <= 4, literal("3-4")),
        else_=literal("5+"),
    )
    empty = case((col(ParseResult.status) == "empty_text", literal("empty")), else_="text")
    keys = [side, language.label("language"), col(Document.format), bucket.label("pages"), empty]
    stmt = (
        select(*keys, func.count())
        .join(Document, col(Document.id) == col(ParseResult.document_id))
        .where(*where)
        .group_by(*keys)
    )
    out: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: {d: defaultdict(int) for d in (*MIX_DIMENSIONS, "layout")}
    )
    for sd, lang, fmt, pg, emp, n in session.execute(stmt):
        mix = out[str(sd)]
        for dim, value in zip(MIX_DIMENSIONS, (lang, fmt, pg, emp), strict=True):
            mix[dim][str(value)] += int(n)
        mix["layout"][f"{fmt} · {pg} p · {lang}"] += int(n)
    return {k: {d: dict(v) for d, v in mix.items()} for k, mix in out.items()}


# --- drift alerts ---------------------------------------------------------------------------------


def alert_blocked(*, session: Session, kind: str, subject: str, window_start: datetime) -> bool:
    """Whether a new alert on this subject must wait: one is still unacknowledged, or one was
    already raised in this window (acknowledged or not)."""
    stmt = select(func.count()).where(
        col(DriftAlert.kind) == kind,
        col(DriftAlert.subject) == subject,
        or_(
            col(DriftAlert.acknowledged_at).is_(None),
            col(DriftAlert.window_start) == _utc(window_start),
        ),
    )
    return bool(session.execute(stmt).scalar_one())


def list_alerts(*, session: Session, open_only: bool = True, limit: int = 50) -> list[DriftAlert]:
    """Drift alerts, newest first; open_only = those nobody has acknowledged yet."""
    stmt = select(DriftAlert).order_by(col(DriftAlert.created_at).desc(), col(DriftAlert.id).desc())
    if open_only:
        stmt = stmt.where(col(DriftAlert.acknowledged_at).is_(None))
    return list(session.execute(stmt.limit(limit)).scalars())


def count_corrections(*, session: Session) -> int:
    """How many correction rows exist."""
    return int(session.execute(select(func.count()).select_from(Correction)).scalar_one())


def unreviewed(*, session: Session, names: list[str]) -> list[tuple[int, str]]:
    """(candidate id, file name) of new CVs whose file has one of these names, oldest first."""
    stmt = (
        select(col(Candidate.id), col(Document.name))
        .join(Document, col(Document.id) == col(Candidate.document_id))
        .where(col(Candidate.status) == "new", col(Document.name).in_(names))
        .order_by(col(Candidate.id))
    )
    return [(int(i), str(n)) for i, n in session.execute(stmt)]


def _sides(column: Any, reference: Window, current: Window) -> tuple[Any, list[Any]]:
    """A 'reference' / 'current' label for two adjacent windows, and the filter spanning both."""
    if reference[1] != current[0]:
        raise ValueError("the reference window must end where the current one starts")
    side = case((column >= _utc(current[0]), literal("current")), else_=literal("reference"))
    return side.label("side"), _between(column, reference[0], current[1])


def field_rates_split(
    *, session: Session, reference: Window, current: Window
) -> dict[str, dict[str, GroupRate]]:
    """Decisions and changes per field in two adjacent windows, in one scan:
    {"reference": {field: rate}, "current": {...}}."""
    side, where = _sides(col(Correction.at), reference, current)
    inner = _per_path(side, where=where)
    fld = field_name(_dialect(session), inner.c.path).label("field")
    stmt = select(inner.c.side, fld, func.sum(inner.c.n), func.sum(inner.c.changed)).group_by(
        inner.c.side, fld
    )
    out: dict[str, dict[str, GroupRate]] = {"reference": {}, "current": {}}
    for s, f, n, c in session.execute(stmt):
        out[str(s)][str(f)] = GroupRate(str(f), int(n), int(c))
    return out


def input_mix_split(
    *, session: Session, reference: Window, current: Window
) -> dict[str, dict[str, dict[str, int]]]:
    """`input_mix` of two adjacent windows in one scan: {"reference": mix, "current": mix}
    (a window without parses has every dimension empty)."""
    side, where = _sides(col(ParseResult.created_at), reference, current)
    mixes = _mixes(session, where, side)
    return {s: mixes.get(s) or _empty_mix() for s in ("reference", "current")}
