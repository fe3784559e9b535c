"""Parse workers: `cvassist worker --concurrency N` on any machine that reaches the database and
the file store, or the app's embedded workers (settings.embedded_workers) on a single machine.

`run_worker` supervises N forked processes; each has its own engine and session, claims one job
at a time from the table (data.jobs), parses it through `correction.intake.run_claimed` while a
heartbeat thread extends the lease, and reaps expired leases now and then. SIGTERM or SIGINT:
finish the current job, then exit; a second signal gives the job back to the queue and exits at
once. A worker killed outright (kill -9, power cut) loses nothing: its job's lease expires and
another worker re-runs it, up to data.jobs.MAX_ATTEMPTS attempts. Logs carry job ids and
statuses, never file names, CV text or contact details.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from correction.intake import Parser, job_lease, run_claimed, warm_up
from data.db import dispose_engines, init_db, new_session
from data.jobs import ClaimedJob, claim_jobs, fail_attempt, heartbeat, queue_counts, reap_expired
from data.jobs import release_job as give_back
from data.store import FileStore

log = logging.getLogger(__name__)

REAP_EVERY_SECONDS = 30.0  # at most; shorter leases reap more often
SUPERVISE_SECONDS = 0.5  # how often the supervisor checks its processes and the stop event
RESTART_DELAY_SECONDS = 2.0  # before restarting a worker process that died
ATTEMPT_BROKE = "The parse could not be saved; it will be tried again shortly."


class StopEvent(Protocol):
    """threading.Event or multiprocessing.Event: what stops a worker."""

    def is_set(self) -> bool:
        """True once a stop was asked for."""
        ...

    def set(self) -> None:
        """Ask the workers to stop."""
        ...

    def wait(self, timeout: float | None = None) -> bool:
        """Sleep until set or timeout; True = set."""
        ...


class _Interrupted(BaseException):
    """A second stop signal: give the current job back and exit now."""


def worker_name(index: int) -> str:
    """This process's name in the job table: host, process id and slot."""
    return f"{socket.gethostname()}:{os.getpid()}:{index}"


@contextmanager
def _heartbeats(job: ClaimedJob, lease: timedelta) -> Iterator[None]:
    """Extend `job`'s lease every third of it, on its own connection, until the block ends."""
    done = threading.Event()

    def beat() -> None:
        with new_session() as session:
            while not done.wait(lease.total_seconds() / 3):
                try:
                    if not heartbeat(session=session, job=job, lease=lease):
                        log.warning("job %s: lease lost", job.job_id)
                        return
                except SQLAlchemyError:
                    session.rollback()
                    log.warning("job %s: heartbeat failed; retrying", job.job_id)

    thread = threading.Thread(target=beat, name=f"heartbeat-{job.job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def run_one(
    *,
    session: Session,
    job: ClaimedJob,
    lease: timedelta,
    store: FileStore | None = None,
    parser: Parser | None = None,
) -> str:
    """Run one claimed job under heartbeats; returns 'parsed', 'failed', 'queued' (retry later)
    or 'lost'. A broken attempt is re-queued (or failed after the last attempt), never raised."""
    try:
        with _heartbeats(job, lease):
            result = run_claimed(session=session, job=job, store=store, parser=parser)
        log.info("job %s attempt %s: %s", job.job_id, job.attempts, result.status)
        return result.status
    except _Interrupted:
        session.rollback()
        give_back(session=session, job=job)
        log.info("job %s given back to the queue", job.job_id)
        raise
    except Exception as e:  # the worker boundary: one broken job must not stop the worker
        session.rollback()
        log.exception("job %s attempt %s broke: %s", job.job_id, job.attempts, type(e).__name__)
        try:
            return fail_attempt(session=session, job=job, message=ATTEMPT_BROKE)
        except SQLAlchemyError:
            session.rollback()
            log.warning("job %s: could not record the failure; its lease will expire", job.job_id)
            return "lost"


def work(
    *,
    name: str,
    stop_event: StopEvent,
    poll_interval: float = 1.0,
    once: bool = False,
    store: FileStore | None = None,
    parser: Parser | None = None,
) -> int:
    """One worker's loop in this process: claim, run, reap, until stopped; returns jobs run.

    once: stop when no job is queued or running any more (a dead worker's job is waited for
    until its lease expires and it is re-run here).
    """
    lease = job_lease()
    reap_every = max(0.5, min(REAP_EVERY_SECONDS, lease.total_seconds() / 2))
    next_reap, ran = 0.0, 0
    with new_session() as session:
        while not stop_event.is_set():
            try:
                if time.monotonic() >= next_reap:
                    if n := reap_expired(session=session):
                        log.info("re-queued or failed %s jobs whose worker stopped", n)
                    next_reap = time.monotonic() + reap_every
                jobs = claim_jobs(session=session, worker=name, lease=lease)
                if not jobs and once and queue_counts(session=session).pending == 0:
                    break
            except SQLAlchemyError:
                session.rollback()
                log.warning("the database could not be reached; retrying", exc_info=True)
                jobs = []
            if not jobs:
                stop_event.wait(min(poll_interval, reap_every))
                continue
            run_one(session=session, job=jobs[0], lease=lease, store=store, parser=parser)
            ran += 1
    return ran


def _signals(stop_event: StopEvent) -> None:
    """First SIGTERM/SIGINT: stop after the current job; second: interrupt it (once).

    The handler never touches the event itself: the code it interrupts may be inside the event's
    own wait, holding its (non-reentrant) lock, and a multiprocessing Event's `set` also waits for
    every sleeper to wake. That deadlocked a worker and its supervisor; a helper thread sets it.
    """
    signalled = 0

    def handle(signum: int, _frame: FrameType | None) -> None:
        nonlocal signalled
        signalled += 1
        if signalled == 1:
            threading.Thread(target=stop_event.set, name="stop", daemon=True).start()
        elif signalled == 2:
            raise _Interrupted

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(processName)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _signal_all(procs: dict[int, BaseProcess]) -> None:
    """SIGTERM to every live worker process."""
    for p in procs.values():
        if p.pid is not None and p.is_alive():
            os.kill(p.pid, signal.SIGTERM)


def _process_main(index: int, poll_interval: float, once: bool) -> None:
    """Entry point of one forked worker process (stops on SIGTERM or when orphaned)."""
    stop_event = threading.Event()
    _logging()
    _signals(stop_event)
    # Ctrl+C reaches the whole terminal group: only the supervisor's signals count here, so a
    # first Ctrl+C still lets each worker finish its job
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    orphaned = threading.Thread(target=_watch_parent, args=(parent, stop_event), daemon=True)
    orphaned.start()
    try:
        work(name=worker_name(index), stop_event=stop_event, poll_interval=poll_interval, once=once)
    except _Interrupted:
        pass
    finally:
        dispose_engines()


def _watch_parent(parent: int, stop_event: StopEvent) -> None:
    """Stop (after the current job) when the supervisor or the app that started us is gone."""
    while not stop_event.wait(SUPERVISE_SECONDS):
        if os.getppid() != parent:
            stop_event.set()


def _warm_up() -> None:
    """Load the parsing pipeline once in the supervisor, before the workers are forked."""
    try:
        warm_up()
    except Exception as e:  # a broken model shows in the first job's message, not here
        log.warning("the parser could not be loaded ahead: %s", type(e).__name__)


def run_worker(
    *,
    concurrency: int,
    poll_interval: float = 1.0,
    stop_event: StopEvent | None = None,
    once: bool = False,
    parent_pid: int | None = None,
) -> int:
    """Run `concurrency` worker processes until stop_event is set or a stop signal arrives
    (once: until the queue is empty); a process that dies is restarted. Returns 0.

    parent_pid: stop when that process (the app that started us) is gone.
    """
    init_db()  # the schema at head before any claim (safe when several workers start at once)
    _warm_up()
    dispose_engines()  # no pooled connection may cross into the children
    # fork: the children start with the parser already loaded (no threads or connections yet)
    ctx = multiprocessing.get_context("fork")
    # No shared multiprocessing Event: a worker killed while inside its wait leaves the event's
    # lock held and every later set() hangs (seen: an orphaned supervisor). Workers are told to
    # stop by a signal, and each keeps its own threading.Event.
    stopping = False
    outer = stop_event or threading.Event()
    if threading.current_thread() is threading.main_thread():
        _signals(outer)
    procs: dict[int, BaseProcess] = {}

    def start(i: int) -> None:
        procs[i] = ctx.Process(
            target=_process_main, args=(i, poll_interval, once), name=f"worker-{i}"
        )
        procs[i].start()

    for i in range(concurrency):
        start(i)
    log.info("started %s worker processes", concurrency)
    try:
        while any(p.is_alive() for p in procs.values()):
            asked = outer.wait(SUPERVISE_SECONDS) or (parent_pid and os.getppid() != parent_pid)
            if asked and not stopping:
                stopping = True
                _signal_all(procs)  # each finishes the job in hand, then exits
            for i, p in procs.items():
                if not p.is_alive() and p.exitcode not in (0, None) and not stopping:
                    log.warning("worker %s exited with %s; restarting", i, p.exitcode)
                    time.sleep(RESTART_DELAY_SECONDS)
                    start(i)
        for p in procs.values():
            p.join()
    except _Interrupted:
        for n in range(1 if stopping else 2):  # a worker's second signal gives its job back
            if n:
                time.sleep(0.2)
            _signal_all(procs)
        for p in procs.values():
            p.join()
    log.info("workers stopped")
    return 0


class EmbeddedWorkers:
    """The app's own worker processes (settings.embedded_workers; 0 = external workers only).

    One supervisor process (`python -m correction.worker`) with the app's settings; it stops
    when the app's process is gone, after finishing the jobs in hand.
    """

    def __init__(self, concurrency: int) -> None:
        self.concurrency = concurrency
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def ensure(self) -> bool:
        """Start the workers unless they are running; False = none configured."""
        if self.concurrency <= 0:
            return False
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                cmd = [sys.executable, "-m", "correction.worker"]
                args = ["--concurrency", str(self.concurrency), "--parent-pid", str(os.getpid())]
                self._proc = subprocess.Popen([*cmd, *args])
        return True

    def stop(self, timeout: float = 60.0) -> int | None:
        """Stop the workers after the jobs in hand; their exit code (None = none were running)."""
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is None or proc.poll() is not None:
            return None
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()  # their leases expire and another worker re-runs those jobs
            return proc.wait()


def resume_parsing(*, workers: EmbeddedWorkers) -> bool:
    """Start the embedded workers when jobs wait from an earlier run (the app restarted)."""
    with new_session() as session:
        pending = queue_counts(session=session).pending
    return workers.ensure() if pending else False


def main(ns: argparse.Namespace) -> int:
    """`cvassist worker`: run parse workers until stopped (or, with --once, the queue is empty)."""
    _logging()
    if ns.concurrency < 1:
        print("cvassist worker: --concurrency must be at least 1", file=sys.stderr)
        return 2
    return run_worker(
        concurrency=ns.concurrency,
        poll_interval=ns.poll,
        once=ns.once,
        parent_pid=getattr(ns, "parent_pid", None),
    )


def add_arguments(ap: argparse.ArgumentParser) -> None:
    """The options of `cvassist worker` (also `python -m correction.worker`)."""
    ap.add_argument("--concurrency", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("--poll", type=float, default=1.0, help="seconds between empty claims")
    ap.add_argument("--once", action="store_true", help="exit when no job is left to run")
    ap.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m correction.worker")
    add_arguments(parser)
    sys.exit(main(parser.parse_args()))
