"""SQLModel tables: documents, batches, parse results, field values, candidates, corrections,
audit events and parse jobs (`XBase` / `X(table=True)` / `XPublic`, as in the fastapi template).

Parse results and corrections are append-only: a re-parse adds a row, a correction never edits the
parse it corrects. Timestamps are timezone-aware UTC on every backend. The acting person is in a
`username` column (`user` is a reserved word in PostgreSQL: `SELECT user` returns the role).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, Index, Integer, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

CandidateStatus = Literal["new", "in_review", "reviewed"]
CorrectionAction = Literal["accept", "edit", "reject", "add"]
AuditAction = Literal[
    "view",
    "correct",
    "export",
    "delete",
    "sign_in",
    "upload",
    "promote",
    "sign_out",
    "account",
    "acknowledge",
]
JobStatus = Literal["queued", "running", "done", "failed"]

CANDIDATE_STATUSES: tuple[str, ...] = ("new", "in_review", "reviewed")
CORRECTION_ACTIONS: tuple[str, ...] = ("accept", "edit", "reject", "add")
AUDIT_ACTIONS: tuple[str, ...] = (
    "view",
    "correct",
    "export",
    "delete",
    "sign_in",
    "upload",
    "promote",
    "sign_out",  # 0002
    "account",  # 0002: an admin created a user, changed a role or disabled an account
    "acknowledge",  # 0003: an HR lead acknowledged a drift alert
)
JOB_STATUSES: tuple[str, ...] = ("queued", "running", "done", "failed")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """DateTime stored as UTC and always read back timezone-aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JSON_TYPE = JSON().with_variant(JSONB(), "postgresql")


def _in(table: str, column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"ck_{table}_{column}")


def _json(**kw: Any) -> Any:
    return Field(sa_type=JSON_TYPE, **kw)


def _when(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


# --- upload batches ------------------------------------------------------------------------------


class BatchBase(SQLModel):
    label: str | None = Field(default=None, max_length=200)
    created_by: str = Field(max_length=200, index=True)


class Batch(BatchBase, table=True):
    """One upload of many files (a page upload or a `cvassist import` run)."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _when()
    n_files: int = 0
    n_new: int = 0
    n_duplicates: int = 0
    n_failed: int = 0


class BatchPublic(BatchBase):
    id: int
    created_at: datetime
    n_files: int
    n_new: int
    n_duplicates: int
    n_failed: int


# --- documents (the bytes live in the content-addressed store) ----------------------------------


class DocumentBase(SQLModel):
    sha256: str = Field(max_length=64, unique=True)
    name: str = Field(max_length=500)
    size: int
    mime: str = Field(max_length=200)
    format: str = Field(max_length=20)
    uploaded_by: str = Field(max_length=200, index=True)
    batch_id: int | None = Field(default=None, foreign_key="batch.id", index=True)


class Document(DocumentBase, table=True):
    """One distinct file (by SHA-256); uploading the same bytes again finds this row."""

    id: int | None = Field(default=None, primary_key=True)
    stored_path: str = Field(max_length=200)
    uploaded_at: datetime = _when(index=True)


class DocumentPublic(DocumentBase):
    id: int
    uploaded_at: datetime


# --- parse results and their field values (immutable) -------------------------------------------


class ParseResultBase(SQLModel):
    document_id: int = Field(foreign_key="document.id", index=True)
    status: str = Field(max_length=30)
    message: str | None = None
    model_version: str = Field(max_length=200)
    parse_ms: float | None = None


class ParseResult(ParseResultBase, table=True):
    """One parse of one document; never updated: a re-parse adds a row."""

    id: int | None = Field(default=None, primary_key=True)
    parsed: dict[str, Any] = _json()
    created_at: datetime = _when()


class ParseResultPublic(ParseResultBase):
    id: int
    created_at: datetime


class FieldValue(SQLModel, table=True):
    """One extracted field of one parse result, flat for ordering and aggregation in SQL."""

    __table_args__ = (UniqueConstraint("parse_result_id", "path", name="uq_fieldvalue_path"),)

    id: int | None = Field(default=None, primary_key=True)
    parse_result_id: int = Field(foreign_key="parseresult.id", index=True)
    path: str = Field(max_length=100)
    field: str = Field(max_length=100, index=True)  # the path without indices: experience.title
    value: Any = _json(default=None)
    normalized: Any = _json(default=None)
    confidence: float
    page: int | None = None
    bbox: list[float] | None = _json(default=None)
    start: int | None = None
    end: int | None = None
    extractor: str = Field(default="", max_length=200)
    # 0004: confidence after the model bundle's calibration (None = parsed before calibration)
    # and the auto-accept decision: auto_accept | audit | review (None = made before auto-accept).
    calibrated: float | None = None
    decision: str | None = Field(default=None, max_length=12)


# --- candidates: the current review state of one document ---------------------------------------


class CandidateBase(SQLModel):
    document_id: int = Field(foreign_key="document.id", unique=True)
    parse_result_id: int = Field(foreign_key="parseresult.id")
    status: str = Field(default="new", max_length=20, index=True)
    display_name: str | None = Field(default=None, max_length=300)
    n_fields: int = 0
    n_green: int = 0
    n_amber: int = 0
    n_red: int = 0
    expected_corrections: float = Field(default=0.0, index=True)
    min_confidence: float | None = None


# Optimistic locking: the ORM adds "AND version_id = <loaded>" to every UPDATE of a candidate and
# raises StaleDataError when another session committed first.
_CANDIDATE_VERSION = Column("version_id", Integer, nullable=False)


class Candidate(CandidateBase, table=True):
    """One per document: review state, band counts and the number ordering the review queue."""

    __table_args__ = (_in("candidate", "status", CANDIDATE_STATUSES),)
    __mapper_args__ = {"version_id_col": _CANDIDATE_VERSION}

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(default=1, sa_column=_CANDIDATE_VERSION)
    created_at: datetime = _when()
    last_activity_at: datetime = _when(index=True)


class CandidatePublic(CandidateBase):
    id: int
    version_id: int
    created_at: datetime
    last_activity_at: datetime


# --- corrections (append-only) ------------------------------------------------------------------


class CorrectionBase(SQLModel):
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    parse_result_id: int = Field(foreign_key="parseresult.id")
    username: str = Field(max_length=200, index=True)
    field_path: str = Field(max_length=100)
    action: str = Field(max_length=10)
    old_value: Any = _json(default=None)
    new_value: Any = _json(default=None)
    new_source: dict[str, Any] | None = _json(default=None)
    old_confidence: float | None = None
    seconds_spent: float = 0.0  # time on the CV for the save this row belongs to
    model_version: str = Field(max_length=200)
    candidate_version: int  # the candidate version this save produced (groups rows of one save)


class Correction(CorrectionBase, table=True):
    """One human decision on one field; rows are only ever inserted."""

    __table_args__ = (_in("correction", "action", CORRECTION_ACTIONS),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)


class CorrectionPublic(CorrectionBase):
    id: int
    at: datetime


# --- audit events (append-only; no personal data in detail) -------------------------------------


class AuditEvent(SQLModel, table=True):
    """Who did what when; candidate_id is not a foreign key so the log outlives an erasure."""

    __table_args__ = (_in("auditevent", "action", AUDIT_ACTIONS),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    username: str = Field(max_length=200, index=True)
    action: str = Field(max_length=20)
    candidate_id: int | None = Field(default=None, index=True)
    detail: dict[str, Any] = _json(default_factory=dict)


# --- background parse jobs ----------------------------------------------------------------------


class ParseJob(SQLModel, table=True):
    """A queued parse. Workers claim with FOR UPDATE SKIP LOCKED in a short transaction that
    increments attempts and sets lease_until; a reaper re-queues expired leases."""

    __table_args__ = (
        _in("parsejob", "status", JOB_STATUSES),
        Index("ix_parsejob_claim", "status", "created_at"),  # claim: oldest queued first
        Index("ix_parsejob_lease", "status", "lease_until"),  # reaper: expired running leases
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    status: str = Field(default="queued", max_length=10, index=True)
    attempts: int = 0
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    worker: str | None = Field(default=None, max_length=200)
    last_error: str | None = None
    created_at: datetime = _when(index=True)
    updated_at: datetime = _when()
    available_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # None = now


# --- user accounts and maintenance markers (issue 6) ---------------------------------------------

ROLES: tuple[str, ...] = ("recruiter", "hr_lead", "analyst", "admin")


class UserAccountBase(SQLModel):
    username: str = Field(max_length=200, unique=True)
    role: str = Field(max_length=20)
    email: str | None = Field(default=None, max_length=320, unique=True)  # OIDC identity
    disabled: bool = False


class UserAccount(UserAccountBase, table=True):
    """One person who may sign in; the role decides what they may see and do."""

    __table_args__ = (_in("useraccount", "role", ROLES),)

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str | None = Field(default=None, max_length=300)  # None = OIDC only
    failed_attempts: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = _when()
    last_sign_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserAccountPublic(UserAccountBase):
    id: int
    created_at: datetime
    last_sign_in_at: datetime | None


class MaintenanceRun(SQLModel, table=True):
    """When a periodic task (the daily retention purge) last ran, shared by every process."""

    task: str = Field(primary_key=True, max_length=50)
    last_run_at: datetime = Field(sa_type=UTCDateTime)


# --- drift alerts (issue 6, the HR lead dashboard) -----------------------------------------------

DRIFT_KINDS: tuple[str, ...] = ("correction_rate", "input_mix")


class DriftAlert(SQLModel, table=True):
    """A field's correction rate outside its control limits, or a shift in the input mix, in one
    window; at most one per subject and window, and none while one is unacknowledged."""

    __table_args__ = (
        _in("driftalert", "kind", DRIFT_KINDS),
        UniqueConstraint("kind", "subject", "window_start", name="uq_driftalert_window"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    subject: str = Field(max_length=100, index=True)  # a field (name, skills) or a mix dimension
    window_start: datetime = Field(sa_type=UTCDateTime)
    window_end: datetime = Field(sa_type=UTCDateTime)
    observed: float  # correction rate, or population stability index
    expected: float  # centre line, or 0 (no shift)
    lower: float | None = None  # None = no lower limit (PSI)
    upper: float
    n: int  # decisions (or parses) in the window
    detail: dict[str, Any] = _json(default_factory=dict)  # counts and shares, no personal data
    created_at: datetime = _when(index=True)
    acknowledged_by: str | None = Field(default=None, max_length=200)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# The drift check's input-mix windows select parses by time; without this index every row's
# (large) parsed JSON is read to reach created_at, which is stored after it (0003).
Index("ix_parseresult_created_at", ParseResult.__table__.c.created_at)  # type: ignore[attr-defined]
# Covers every dashboard aggregation over a time range of corrections: index-only scans (0003).
_CORRECTION: Any = Correction.__table__  # type: ignore[attr-defined]
Index(
    "ix_correction_dashboard",
    *(
        _CORRECTION.c[name]
        for name in (
            "at",
            "field_path",
            "action",
            "old_confidence",
            "model_version",
            "candidate_id",
            "candidate_version",
            "seconds_spent",
        )
    ),
)


# --- model registry (issue 5, 0004) --------------------------------------------------------------

MODEL_STATUSES: tuple[str, ...] = ("candidate", "champion", "retired", "rejected", "rolled_back")
MODEL_EVENTS: tuple[str, ...] = ("promote", "rollback")


class ModelVersion(SQLModel, table=True):
    """One trained model bundle: where it is, its manifest SHA-256, what it learnt from and how
    it scored on the frozen holdout. Rows are kept forever (history, rollback, erasure flags)."""

    __table_args__ = (_in("modelversion", "status", MODEL_STATUSES),)

    id: int | None = Field(default=None, primary_key=True)
    version: str = Field(max_length=100, unique=True)
    created_at: datetime = _when(index=True)
    created_by: str = Field(max_length=200)
    sha256: str = Field(max_length=64)  # of manifest.json, which holds every file's SHA-256
    path: str = Field(max_length=500)  # bundle directory, relative to data_dir/models
    parser_version: str = Field(max_length=200)
    libraries: dict[str, Any] = _json(default_factory=dict)
    metrics: dict[str, Any] = _json(default_factory=dict)  # holdout scores overall / per group
    correction_ids: list[int] = _json(default_factory=list)  # the corrections it was trained on
    candidate_ids: list[int] = _json(default_factory=list)  # whose corrections those were
    n_corrections: int = 0
    status: str = Field(default="candidate", max_length=12)
    needs_retraining: bool = False  # a candidate it learnt from was erased
    note: str | None = Field(default=None, max_length=500)


class ModelEvent(SQLModel, table=True):
    """Champion changes, append-only: the newest row names the current champion."""

    __table_args__ = (_in("modelevent", "action", MODEL_EVENTS),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when(index=True)
    username: str = Field(max_length=200)
    action: str = Field(max_length=10)
    version: str = Field(max_length=100, foreign_key="modelversion.version")
    previous: str | None = Field(default=None, max_length=100)
