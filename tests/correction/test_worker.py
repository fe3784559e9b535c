"""Parse workers on SQLite and PostgreSQL: every queued upload is parsed exactly once, a broken
job is retried then failed with a message, and a worker killed mid-batch loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, func, select
from support import GENERATED

import correction.intake as intake
import data.jobs as jobs
from correction.access import SYSTEM_USER
from correction.intake import intake_batch, process_job, run_claimed
from correction.worker import ATTEMPT_BROKE, EmbeddedWorkers, resume_parsing, work
from data.jobs import claim_jobs, queue_counts, reap_expired
from data.models import Candidate, Document, ParseJob, ParseResult, utcnow
from data.store import FileStore
from settings import get_settings

DOCS = sorted(p for p in (GENERATED / "docs").iterdir() if p.suffix in (".txt", ".pdf"))
CVASSIST = Path(sys.executable).with_name("cvassist")
Parser = Callable[[bytes, str], Any]
WAIT = 180.0  # seconds; a worker starts in ~5 s on an idle machine, far slower on a loaded one


def count(session: Session, model: type) -> int:
    n = session.exec(select(func.count()).select_from(model)).one()
    session.rollback()
    return n


def upload(session: Session, n: int, store: FileStore | None = None) -> list[int]:
    """n generated CVs stored as one batch (as the upload page does); their job ids."""
    files = [(p.name, p.read_bytes()) for p in DOCS[:n]]
    batch = intake_batch(session=session, files=files, user=SYSTEM_USER, store=store)
    assert [r.status for r in batch.results] == ["queued"] * n
    return batch.job_ids


def statuses(session: Session) -> dict[str, int]:
    rows = session.exec(select(ParseJob.status, func.count()).group_by(col(ParseJob.status))).all()
    session.rollback()
    return dict(rows)


@pytest.fixture
def parser(fake_parser: Callable[..., Parser]) -> Parser:
    return fake_parser({"name": 0.9, "emails[0]": 0.95})


def test_a_worker_parses_every_queued_upload_once(
    app_env: Path, session: Session, store: FileStore, parser: Parser
) -> None:
    upload(session, 4, store)
    ran = work(name="w", stop_event=threading.Event(), once=True, store=store, parser=parser)
    assert ran == 4
    assert statuses(session) == {"done": 4}
    assert count(session, ParseResult) == count(session, Candidate) == 4


def test_two_workers_share_a_batch_without_running_a_job_twice(
    app_env: Path, session: Session, store: FileStore, parser: Parser
) -> None:
    upload(session, 12, store)
    ran: list[int] = []

    def one(name: str) -> None:
        ran.append(
            work(name=name, stop_event=threading.Event(), once=True, store=store, parser=parser)
        )

    threads = [threading.Thread(target=one, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(ran) == 12
    assert statuses(session) == {"done": 12}
    assert count(session, ParseResult) == 12  # no document parsed twice
    attempts = session.exec(select(ParseJob.attempts)).all()
    assert set(attempts) == {1}


def test_a_job_that_breaks_three_times_fails_with_a_message_and_blocks_nothing(
    app_env: Path,
    session: Session,
    store: FileStore,
    parser: Parser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job_ids = upload(session, 3, store)
    poison = job_ids[1]
    poison_doc = session.exec(select(ParseJob.document_id).where(ParseJob.id == poison)).one()
    session.rollback()  # end this read: a SQLite reader keeps its snapshot until it does
    real = intake.add_parse_result

    def breaks_on_poison(*, session: Session, document_id: int, parsed: Any) -> Any:
        if document_id == poison_doc:
            raise OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(session=session, document_id=document_id, parsed=parsed)

    monkeypatch.setattr(intake, "add_parse_result", breaks_on_poison)
    monkeypatch.setattr(jobs, "BACKOFF", (timedelta(0), timedelta(0)))
    work(name="w", stop_event=threading.Event(), once=True, store=store, parser=parser)
    fresh = select(ParseJob).execution_options(populate_existing=True)
    rows = {j.id: j for j in session.exec(fresh)}
    assert (rows[poison].status, rows[poison].attempts) == ("failed", 3)
    assert rows[poison].last_error == ATTEMPT_BROKE
    assert [rows[j].status for j in job_ids if j != poison] == ["done", "done"]
    assert count(session, ParseResult) == 2  # the broken attempts left nothing half-written


def test_a_worker_presumed_dead_does_not_write_over_the_rerun(
    app_env: Path, session: Session, store: FileStore, parser: Parser
) -> None:
    (job_id,) = upload(session, 1, store)
    slow = claim_jobs(session=session, worker="slow")[0]
    later = utcnow() + jobs.LEASE + timedelta(seconds=1)
    assert reap_expired(session=session, now=later) == 1
    rerun = claim_jobs(session=session, worker="fast", now=later + jobs.backoff(1))[0]
    assert run_claimed(session=session, job=rerun, store=store, parser=parser).status == "parsed"
    late = run_claimed(session=session, job=slow, store=store, parser=parser)
    assert (late.status, late.job_id) == ("queued", job_id)  # dropped, not a second result
    assert count(session, ParseResult) == 1
    assert statuses(session) == {"done": 1}


def test_an_inline_parse_never_runs_a_job_a_worker_holds_or_finished(
    app_env: Path, session: Session, store: FileStore, parser: Parser
) -> None:
    (job_id,) = upload(session, 1, store)
    held = claim_jobs(session=session, worker="w")[0]
    inline = process_job(session=session, job_id=job_id, store=store, parser=parser)
    assert (inline.status, inline.job_id, inline.candidate_id) == ("queued", job_id, None)
    done = run_claimed(session=session, job=held, store=store, parser=parser)
    again = process_job(session=session, job_id=job_id, store=store, parser=parser)
    assert (again.status, again.candidate_id) == ("parsed", done.candidate_id)
    assert count(session, ParseResult) == 1


def _env(db_url: str, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CVASSIST_DATABASE_URL": db_url,
        "CVASSIST_DATA_DIR": str(data_dir),
        "CVASSIST_JOB_LEASE_SECONDS": "2",
        "CVASSIST_USE_PRETRAINED_NLP": "false",
    }


def _wait(session: Session, until: Callable[[jobs.QueueCounts], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not until(queue_counts(session=session)):
        assert time.monotonic() < deadline, f"timed out: {queue_counts(session=session)}"
        time.sleep(0.1)


def test_kill_9_mid_batch_then_restart_and_upload_again_loses_nothing(
    app_env: Path, db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CVASSIST_JOB_LEASE_SECONDS", "2")
    monkeypatch.setenv("CVASSIST_USE_PRETRAINED_NLP", "false")
    get_settings.cache_clear()
    n = 10
    upload(session, n)
    worker = subprocess.Popen(
        [str(CVASSIST), "worker", "--concurrency", "1", "--poll", "0.2"],
        env=_env(db_url, app_env),
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(session, lambda c: c.done >= 2, timeout=WAIT)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    assert queue_counts(session=session).pending > 0, "the batch finished before the kill"

    restarted = work(name="restarted", stop_event=threading.Event(), once=True, poll_interval=0.2)
    assert restarted >= 1
    files = [(p.name, p.read_bytes()) for p in DOCS[:n]]
    again = intake_batch(session=session, files=files, user=SYSTEM_USER)
    assert [r.status for r in again.results] == ["duplicate"] * n

    rows = session.exec(select(ParseJob)).all()
    assert len(rows) == n and all(j.status in ("done", "failed") for j in rows)
    assert all(j.last_error for j in rows if j.status == "failed")
    assert count(session, Document) == n
    per_doc = session.exec(
        select(ParseResult.document_id, func.count()).group_by(col(ParseResult.document_id))
    ).all()
    assert len(per_doc) == n and {c for _, c in per_doc} == {1}  # every file parsed exactly once
    docs_with_candidates = session.exec(select(Candidate.document_id)).all()
    assert len(docs_with_candidates) == len(set(docs_with_candidates))


def test_sigterm_finishes_the_job_in_hand_and_exits(
    app_env: Path, db_url: str, session: Session
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("process signals do not depend on the database")
    upload(session, 10)
    worker = subprocess.Popen(
        [str(CVASSIST), "worker", "--concurrency", "2", "--poll", "0.2"],
        env=_env(db_url, app_env),
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(session, lambda c: c.done >= 1, timeout=WAIT)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=WAIT) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    counts = queue_counts(session=session)
    assert counts.running == 0, "a stopped worker left a job running"
    assert counts.queued > 0 and counts.done >= 1  # it stopped early, and what it ran is saved


def test_the_app_restarted_resumes_the_jobs_an_earlier_run_left(
    app_env: Path, db_url: str, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the embedded workers are for single-machine (SQLite) installs")
    monkeypatch.setenv("CVASSIST_USE_PRETRAINED_NLP", "false")
    get_settings.cache_clear()
    upload(session, 3)  # stored by an app that was then killed: nobody parses them
    assert not resume_parsing(workers=EmbeddedWorkers(0))  # 0 = external workers only
    workers = EmbeddedWorkers(1)
    try:
        assert resume_parsing(workers=workers)
        _wait(session, lambda c: c.pending == 0, timeout=WAIT)
    finally:
        code = workers.stop()
    assert code == 0
    assert statuses(session) == {"done": 3}
    assert not resume_parsing(workers=workers)  # nothing left: nothing started
