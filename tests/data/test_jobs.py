"""The parse-job queue on SQLite and PostgreSQL: claims, leases, heartbeats, retries, the reaper."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from data.db import begin_write
from data.jobs import (
    GAVE_UP,
    LEASE,
    MAX_ATTEMPTS,
    backoff,
    claim_job,
    claim_jobs,
    complete_job,
    fail_attempt,
    heartbeat,
    queue_counts,
    reap_expired,
    release_job,
)
from data.models import Batch, ParseJob, utcnow
from data.queries import create_batch, enqueue_parse, get_or_create_document
from data.store import FileStore

ROOT = Path(__file__).resolve().parents[2]
CLAIMER = """
import json, sys, time
from pathlib import Path
from data.db import get_engine, new_session
from data.jobs import claim_jobs
session = new_session(get_engine(sys.argv[1]))
go = Path(sys.argv[3])
(go.parent / sys.argv[2]).touch()  # ready
while not go.exists():
    time.sleep(0.01)
ids = []
while jobs := claim_jobs(session=session, worker=sys.argv[2]):
    ids += [j.job_id for j in jobs]
    time.sleep(0.005)  # a worker parses between claims; lets the other claimer in on a busy box
print(json.dumps(ids))
"""


def _jobs(session: Session, store: FileStore, n: int, batch_id: int | None = None) -> list[int]:
    """n documents with one queued job each, committed; their job ids in creation order."""
    ids = []
    for i in range(n):
        doc, _ = get_or_create_document(
            session=session,
            data=f"cv {i}".encode(),
            name=f"cv{i}.txt",
            user="ann",
            batch_id=batch_id,
            store=store,
        )
        assert doc.id is not None
        job = enqueue_parse(session=session, document_id=doc.id)
        assert job.id is not None
        ids.append(job.id)
    session.commit()
    return ids


def _job(session: Session, job_id: int) -> ParseJob:
    job = session.get(ParseJob, job_id, populate_existing=True)
    assert job is not None
    session.rollback()
    return job


def test_claims_oldest_first_count_the_attempt_and_lease(
    session: Session, store: FileStore
) -> None:
    ids = _jobs(session, store, 3)
    before = utcnow()
    first = claim_jobs(session=session, worker="w1", n=2)
    assert [c.job_id for c in first] == ids[:2]
    for c in first:
        row = _job(session, c.job_id)
        assert (row.status, row.attempts, row.worker) == ("running", 1, "w1")
        assert row.lease_until is not None and row.lease_until >= before + LEASE
    assert [c.job_id for c in claim_jobs(session=session, worker="w2", n=5)] == ids[2:]
    assert claim_jobs(session=session, worker="w3") == []
    assert queue_counts(session=session).running == 3


def test_two_processes_never_claim_the_same_job(
    session: Session, store: FileStore, db_url: str, tmp_path: Path
) -> None:
    ids = _jobs(session, store, 150)
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMER, db_url, f"w{i}", str(go)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        for i in range(2)
    ]
    deadline = time.monotonic() + 30
    while not all((tmp_path / f"w{i}").exists() for i in range(2)):
        assert time.monotonic() < deadline, "the claimer processes did not start"
        time.sleep(0.05)
    go.touch()
    got = [json.loads(p.communicate(timeout=60)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert not set(got[0]) & set(got[1]), "a job was claimed twice"
    assert sorted(got[0] + got[1]) == ids, "a job was never claimed"
    assert got[0] and got[1], "one claimer got everything: the test did not run them concurrently"
    assert {_job(session, i).attempts for i in ids} == {1}


def test_claiming_one_job_inline_skips_a_job_a_worker_holds(
    session: Session, store: FileStore
) -> None:
    (job_id,) = _jobs(session, store, 1)
    assert claim_jobs(session=session, worker="w1")[0].job_id == job_id
    assert claim_job(session=session, job_id=job_id, worker="inline") is None
    assert _job(session, job_id).worker == "w1"


def test_expired_lease_is_reaped_and_run_again(session: Session, store: FileStore) -> None:
    (job_id,) = _jobs(session, store, 1)
    dead = claim_jobs(session=session, worker="dies")[0]
    assert reap_expired(session=session) == 0  # the lease still runs
    later = utcnow() + LEASE + timedelta(seconds=1)
    assert reap_expired(session=session, now=later) == 1
    row = _job(session, job_id)
    assert (row.status, row.worker, row.lease_until) == ("queued", None, None)
    assert row.last_error and "tried again" in row.last_error
    assert claim_jobs(session=session, worker="w2", now=later) == []  # backing off
    again = claim_jobs(session=session, worker="w2", now=later + backoff(1))
    assert [(c.job_id, c.attempts) for c in again] == [(job_id, 2)]
    begin_write(session)
    assert not complete_job(session=session, job=dead), "the dead worker's lease was given away"
    assert complete_job(session=session, job=again[0])
    session.commit()
    assert _job(session, job_id).status == "done"


def test_a_job_that_keeps_killing_workers_fails_for_good_and_blocks_nothing(
    session: Session, store: FileStore
) -> None:
    batch = create_batch(session=session, user="ann")
    session.commit()
    poison, fine = _jobs(session, store, 2, batch_id=batch.id)
    now = utcnow()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        claimed = claim_jobs(session=session, worker=f"w{attempt}", now=now)
        assert [c.job_id for c in claimed] == [poison]
        now += LEASE + timedelta(seconds=1)
        assert reap_expired(session=session, now=now) == 1
        now += backoff(attempt)
    row = _job(session, poison)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert row.last_error == GAVE_UP.format(n=MAX_ATTEMPTS)
    assert [c.job_id for c in claim_jobs(session=session, worker="w9", now=now, n=5)] == [fine]
    counted = session.get(Batch, batch.id, populate_existing=True)
    assert counted is not None and counted.n_failed == 1


def test_failed_attempts_back_off_then_fail_keeping_the_message(
    session: Session, store: FileStore
) -> None:
    (job_id,) = _jobs(session, store, 1)
    now = utcnow()
    statuses = []
    for _ in range(MAX_ATTEMPTS):
        job = claim_jobs(session=session, worker="w", now=now)[0]
        statuses.append(fail_attempt(session=session, job=job, message="Could not save."))
        now += max(backoff(1), backoff(2)) + timedelta(seconds=1)
    assert statuses == ["queued", "queued", "failed"]
    row = _job(session, job_id)
    assert (row.status, row.last_error) == ("failed", "Could not save.")
    assert claim_jobs(session=session, worker="w", now=now) == []


def test_heartbeat_extends_the_lease_until_it_is_lost(session: Session, store: FileStore) -> None:
    (job_id,) = _jobs(session, store, 1)
    job = claim_jobs(session=session, worker="w", lease=timedelta(seconds=5))[0]
    assert heartbeat(session=session, job=job, lease=timedelta(minutes=10))
    row = _job(session, job_id)
    assert row.lease_until is not None and row.lease_until > utcnow() + timedelta(minutes=9)
    assert reap_expired(session=session, now=utcnow() + timedelta(minutes=5)) == 0
    assert reap_expired(session=session, now=utcnow() + timedelta(minutes=11)) == 1
    assert not heartbeat(session=session, job=job)


def test_a_stopping_worker_gives_the_job_back_without_using_an_attempt(
    session: Session, store: FileStore
) -> None:
    (job_id,) = _jobs(session, store, 1)
    job = claim_jobs(session=session, worker="w")[0]
    assert release_job(session=session, job=job)
    row = _job(session, job_id)
    assert (row.status, row.attempts, row.worker) == ("queued", 0, None)
    assert claim_jobs(session=session, worker="w2")[0].attempts == 1
    assert not release_job(session=session, job=job)  # not held any more


def test_queue_counts_per_job_set(session: Session, store: FileStore) -> None:
    ids = _jobs(session, store, 3)
    claim_jobs(session=session, worker="w")
    counts = queue_counts(session=session, job_ids=ids[:2])
    assert (counts.queued, counts.running, counts.pending) == (1, 1, 2)
