"""The analyst export: filtered candidates as CSV, XLSX, JSON or JSON Resume, streamed and audited.

`export` needs the "export.run" permission, writes one candidate at a time to the caller's binary
output (the data layer reads a page of candidates at a time), and records one audit event with
the format, the filters and the number of candidates: never a candidate's data. A pseudonymised
export replaces the candidate id with a keyed hash and leaves out names and contact details
(correction.export_rows says exactly what). The key's secret is `CVASSIST_PSEUDONYM_SECRET`, or a
random one created on first use in the data directory (`pseudonym.key`, readable by its owner).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session

from correction.access import SYSTEM_USER, AccessDenied, authorize
from correction.export_rows import candidate_key
from correction.export_writers import Keyer, make_writer
from data.db import begin_write, init_db, session_scope
from data.export import ExportCandidate, ExportFilters, count_export, iter_export
from data.models import BatchPublic
from data.queries import add_audit, list_batches
from parsing.errors import CVError
from settings import Settings, get_settings

FORMATS: tuple[str, ...] = ("csv", "xlsx", "json", "jsonresume")
SUFFIX = {"csv": ".csv", "xlsx": ".xlsx", "json": ".json", "jsonresume": ".resume.json"}
MEDIA = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonresume": "application/json",
}
KEY_FILE = "pseudonym.key"
EXPORT_DIR = "exports"  # under the data dir: files prepared for a download from the page
DOWNLOAD_TTL_S = 3600.0  # a prepared file older than this is deleted
SECRET_BYTES = 32


class ExportError(CVError, ValueError):
    """An export request that cannot be carried out; str(e) is a sentence for the user."""


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    fmt: str
    pseudonymised: bool
    count: int  # candidates written
    seconds: float
    file_name: str  # a suggested download name


@dataclass(frozen=True, slots=True)
class ExportPreview:
    """What the export page shows before exporting: the matching count and the batch choices."""

    count: int
    batches: list[BatchPublic]


def pseudonym_secret(settings: Settings | None = None) -> bytes:
    """The installation's pseudonymisation secret (created in the data dir on first use)."""
    settings = settings or get_settings()
    if settings.pseudonym_secret:
        return settings.pseudonym_secret.encode()
    path = Path(settings.data_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # O_EXCL: two processes creating it at once end up with the same secret
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(SECRET_BYTES))
    secret = path.read_text().strip()
    if not secret:
        raise ExportError(
            f"The pseudonymisation key file {path} is empty; restore it or delete it."
        )
    return secret.encode()


def file_name(fmt: str, *, pseudonymise: bool, when: float | None = None) -> str:
    """A download name such as candidates-20261130-0512-pseudonymised.csv."""
    stamp = time.strftime("%Y%m%d-%H%M", time.gmtime(when))
    return f"candidates-{stamp}{'-pseudonymised' if pseudonymise else ''}{SUFFIX[fmt]}"


def export_preview(*, session: Session, user: str, filters: ExportFilters) -> ExportPreview:
    """How many candidates match the filters, and the upload batches to filter on."""
    authorize(session=session, user=user, permission="export.run")
    preview = ExportPreview(
        count=count_export(session=session, filters=filters),
        batches=list_batches(session=session),
    )
    session.rollback()  # reads only: hold no transaction open
    return preview


def export(
    *,
    session: Session,
    user: str,
    fmt: str,
    filters: ExportFilters,
    pseudonymise: bool,
    out: BinaryIO,
) -> ExportReport:
    """Write the matching candidates' current records to `out`; audited, even when it fails."""
    if fmt not in FORMATS:
        raise ExportError(f"Choose one of these formats: {', '.join(FORMATS)}.")
    authorize(session=session, user=user, permission="export.run")
    keyer = _keyer(pseudonym_secret()) if pseudonymise else _no_key
    started = time.perf_counter()
    writer = make_writer(fmt, out, keyer=keyer, pseudonymise=pseudonymise)
    completed = False
    try:
        for candidate in iter_export(session=session, filters=filters):
            writer.add(candidate)
        writer.close()
        completed = True
    finally:
        session.rollback()  # end the read before the audit's write transaction
        begin_write(session)
        add_audit(
            session=session,
            user=user,
            action="export",
            detail={
                "format": fmt,
                "pseudonymised": pseudonymise,
                "count": writer.count,
                "completed": completed,
                "filters": filters.to_audit(),
            },
        )
        session.commit()
    return ExportReport(
        fmt=fmt,
        pseudonymised=pseudonymise,
        count=writer.count,
        seconds=time.perf_counter() - started,
        file_name=file_name(fmt, pseudonymise=pseudonymise),
    )


@dataclass(frozen=True, slots=True)
class PreparedExport:
    """An export written to a private file in the data directory, for the page to serve."""

    report: ExportReport
    path: Path


def prepare_download(
    *,
    session: Session,
    user: str,
    fmt: str,
    filters: ExportFilters,
    pseudonymise: bool,
    replaces: Path | None = None,
) -> PreparedExport:
    """Export into a new file under <data dir>/exports (owner-only), for a download.

    `replaces` (this user's previous file) is deleted, and so is any file there older than
    `DOWNLOAD_TTL_S`: exported personal data does not pile up on the server. A failed export
    leaves no file.
    """
    folder = Path(get_settings().data_dir) / EXPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    _tidy(folder, replaces)
    fd, name = tempfile.mkstemp(dir=folder, prefix="export-", suffix=SUFFIX.get(fmt, ""))
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            report = export(
                session=session,
                user=user,
                fmt=fmt,
                filters=filters,
                pseudonymise=pseudonymise,
                out=out,
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return PreparedExport(report=report, path=path)


def _tidy(folder: Path, replaces: Path | None) -> None:
    if replaces is not None and replaces.parent == folder:
        replaces.unlink(missing_ok=True)
    cutoff = time.time() - DOWNLOAD_TTL_S
    for old in folder.glob("export-*"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except FileNotFoundError:  # another session tidied it first
            pass


def _no_key(c: ExportCandidate) -> str | None:
    return None


def _keyer(secret: bytes) -> Keyer:
    def key(c: ExportCandidate) -> str | None:
        return candidate_key(secret, c.sha256)

    return key


# --- command line -------------------------------------------------------------------------------


def _day(text: str | None, *, end: bool = False) -> datetime | None:
    """YYYY-MM-DD as UTC midnight; end=True gives the next midnight (an inclusive last day)."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError as e:
        raise ExportError(f"{text!r} is not a date; write it as YYYY-MM-DD.") from e
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def cli_filters(ns: argparse.Namespace) -> ExportFilters:
    """The filters of `cvassist export` (dates are whole days, both ends included)."""
    return ExportFilters(
        since=_day(ns.since),
        until=_day(ns.until, end=True),
        date_field=ns.date_field,
        batch_id=ns.batch,
        statuses=tuple(ns.status or ()),
        reviewed_only=ns.reviewed_only,
        skills=tuple(ns.skill or ()),
        skill_mode="all" if ns.all_skills else "any",
        languages=tuple(ns.language or ()),
        min_years=ns.min_years,
        max_years=ns.max_years,
    )


def main(ns: argparse.Namespace) -> int:
    """`cvassist export`: write the file (complete or not at all) and a summary line; 2 = refused.

    The file is written next to --out under a temporary name and renamed when complete, so a
    failed export never leaves a half file or replaces an earlier one. --out - writes to stdout.
    """
    try:
        filters = cli_filters(ns)
        init_db()
        with session_scope() as session:
            if ns.out == "-":
                report = _run(session, ns, filters, sys.stdout.buffer)
            else:
                target = Path(ns.out)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
                try:
                    with os.fdopen(fd, "wb") as out:
                        report = _run(session, ns, filters, out)
                    os.replace(tmp, target)
                finally:
                    Path(tmp).unlink(missing_ok=True)
    except (ExportError, AccessDenied, OSError) as e:
        print(f"cvassist export: {e}", file=sys.stderr)
        return 2
    kind = f"{report.fmt}{', pseudonymised' if report.pseudonymised else ''}"
    where = "stdout" if ns.out == "-" else ns.out
    print(
        f"{report.count} candidates written to {where} ({kind}) in {report.seconds:.1f} s",
        file=sys.stderr,
    )
    return 0


def _run(
    session: Session, ns: argparse.Namespace, filters: ExportFilters, out: BinaryIO
) -> ExportReport:
    return export(
        session=session,
        user=SYSTEM_USER,
        fmt=ns.format,
        filters=filters,
        pseudonymise=ns.pseudonymise,
        out=out,
    )
