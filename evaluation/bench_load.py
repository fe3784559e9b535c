"""`make bench-load`, the issue-7 load benchmark (not part of `make test`).

1. Batch: N files (generated with `cvassist corpus`, plus hostile files from ../shared/hostile
   when present) go through the upload path (`intake_batch`) on PostgreSQL while
   `cvassist worker --concurrency W` processes parse them. Meanwhile a second session renders
   the review queue page (AppTest, the page's whole server run) again and again. Reported: every
   file accounted for (parsed, failed with a message, duplicate or not stored with a message),
   documents parsed more than once, throughput, and the page's p95 against the 2 s target.
2. Recruiters: R processes open random candidates and save an edit for `--seconds`, resolving
   conflicts like a person would (`merge_after_conflict`, sometimes overriding), on PostgreSQL
   and on SQLite. Reported: saves, conflicts, unhandled errors and lost updates, found by
   replaying every committed save against the database (its correction rows are there with its
   version, and each candidate's version is one more than the saves that bumped it).

Prints Markdown and writes bench_out/bench_load.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from correction.access import SYSTEM_USER
from correction.accounts import create_user
from correction.intake import BatchIntake, ingest, intake_batch
from correction.review import FieldChange, merge_after_conflict, open_candidate, save_corrections
from data.db import dispose_engines, init_db, session_scope
from data.models import Candidate, Correction, ParseJob, ParseResult
from evaluation.bench import machine
from evaluation.bench_app import app_settings, p95
from evaluation.bench_app_seed import backend_url, pg_schema, pg_unreachable

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench_out" / "bench_load.json"
CORPUS = ROOT / "bench_out" / "load_corpus"
HOSTILE = ROOT.parent / "shared" / "hostile"
SEED_DOCS = ROOT / "tests" / "fixtures" / "generated" / "docs"
CVASSIST = Path(sys.executable).with_name("cvassist")
RENDER_TARGET_MS = 2000.0
RECRUITERS = ("rec1", "rec2", "rec3", "rec4")
VIEWER = "lead"


@contextmanager
def app_env(url: str, data_dir: Path) -> Iterator[None]:
    """Point settings (and the worker processes and AppTest) at this database and store; the
    benchmark starts its own workers, so the app embeds none."""
    with app_settings(url, data_dir, CVASSIST_EMBEDDED_WORKERS="0"):
        yield


def accounts(session: Session) -> None:
    """The benchmark's people: a lead who watches the queue, recruiters who correct."""
    people = [(VIEWER, "hr_lead"), *((name, "recruiter") for name in RECRUITERS)]
    for name, role in people:  # OIDC-style accounts: no password to hash
        create_user(
            session=session, username=name, role=role, password=None, email=f"{name}@bench.invalid"
        )


# --- 1. a big batch through the upload path, with a page rendering meanwhile -------------------


def batch_files(n: int, n_hostile: int) -> list[Path]:
    """n files: the generated corpus (made once under bench_out/) and up to n_hostile hostile."""
    hostile = sorted(
        p for p in HOSTILE.rglob("*") if p.is_file() and p.suffix not in (".json", ".md")
    )[:n_hostile]
    need = n - len(hostile)
    docs = sorted(p for p in (CORPUS / "docs").glob("*") if p.suffix in (".pdf", ".docx", ".txt"))
    if len(docs) < need:
        people = need // 3 + 1
        cmd = [str(CVASSIST), "corpus", "--out", str(CORPUS), "--n", str(people), "--seed", "11"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        docs = sorted(p for p in (CORPUS / "docs").glob("*") if p.suffix != ".json")
    picked = docs[:need] + hostile
    random.Random(7).shuffle(picked)  # hostile files spread through the batch
    return picked


class PageTimer(threading.Thread):
    """Renders the review queue page in a loop (a second browser session) until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.ms: list[float] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        """Render, time, pause half a second, repeat."""
        from streamlit.testing.v1 import AppTest

        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.session_state["user"] = VIEWER  # ui.user.USER_KEY
        while not self.stop.wait(0.5):
            t0 = time.perf_counter()
            at.run()
            self.ms.append((time.perf_counter() - t0) * 1000)
            if at.exception:
                self.errors.append(str(at.exception[0].message)[:200])


def run_batch(*, n_files: int, n_hostile: int, workers: int, timeout: float) -> dict[str, Any]:
    """The whole batch on the database in the environment; returns the counts and timings."""
    files = batch_files(n_files, n_hostile)
    init_db()
    with session_scope() as session:
        accounts(session)
    worker = subprocess.Popen(
        [str(CVASSIST), "worker", "--concurrency", str(workers), "--poll", "0.5"],
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    timer = PageTimer()
    timer.start()
    t0 = time.perf_counter()
    stored: list[BatchIntake] = []
    storing = threading.Thread(target=lambda: stored.append(_store(files)), daemon=True)
    storing.start()
    try:
        pending = _wait_done(storing, timeout)
    finally:
        total_s = time.perf_counter() - t0
        timer.stop.set()
        worker.send_signal(signal.SIGTERM)  # finish the jobs in hand, then exit
        worker.wait(timeout=120)
        timer.join(timeout=120)
    intake = stored[0] if stored else None
    result = _account(intake, len(files)) if intake else {"stored": "batch did not finish"}
    return {
        **result,
        "files": len(files),
        "hostile": sum(1 for f in files if HOSTILE in f.parents),
        "workers": workers,
        "pending_at_end": pending,
        "seconds": round(total_s, 1),
        "files_per_second": round(len(files) / total_s, 2),
        "page_renders": len(timer.ms),
        "page_p50_ms": round(sorted(timer.ms)[len(timer.ms) // 2], 1) if timer.ms else None,
        "page_p95_ms": round(p95(timer.ms), 1),
        "page_max_ms": round(max(timer.ms), 1) if timer.ms else None,
        "page_errors": timer.errors[:5],
        "page_pass": bool(timer.ms) and p95(timer.ms) <= RENDER_TARGET_MS,
    }


def _store(files: list[Path]) -> BatchIntake:
    with session_scope() as session:
        return intake_batch(
            session=session, files=((f.name, f.read_bytes()) for f in files), user=SYSTEM_USER
        )


def _wait_done(storing: threading.Thread, timeout: float) -> int:
    """Wait until the batch is stored and no job is pending; returns the jobs still pending."""
    deadline = time.monotonic() + timeout
    with session_scope() as session:
        while True:
            stmt = select(func.count()).where(col(ParseJob.status).in_(["queued", "running"]))
            pending = session.exec(stmt).one()
            session.rollback()
            if (not storing.is_alive() and pending == 0) or time.monotonic() > deadline:
                return int(pending)
            time.sleep(1.0)


def _account(intake: BatchIntake, n_files: int) -> dict[str, Any]:
    """Every file's end state, from the database, and the duplicates check."""
    with session_scope() as session:
        jobs = {j.id: j for j in session.exec(select(ParseJob))}
        per_doc = session.exec(
            select(ParseResult.document_id, func.count()).group_by(col(ParseResult.document_id))
        ).all()
        cand_docs = session.exec(select(Candidate.document_id)).all()
    ends: Counter[str] = Counter()
    unexplained = 0
    for r in intake.results:
        job = jobs.get(r.job_id) if r.job_id is not None else None
        end = job.status if job else r.status
        ends[end] += 1
        message = job.last_error if job else r.message
        if end in ("queued", "running") or (end in ("failed", "error") and not message):
            unexplained += 1
    return {
        "end_states": dict(ends),
        "accounted_for": len(intake.results) == n_files and unexplained == 0,
        "unaccounted": unexplained + n_files - len(intake.results),
        "documents_parsed_twice": sum(1 for _, n in per_doc if n > 1),
        "duplicate_candidates": len(cand_docs) - len(set(cand_docs)),
        "attempts_histogram": dict(Counter(j.attempts for j in jobs.values())),
    }


# --- 2. recruiters saving corrections at the same time -----------------------------------------


def seed_candidates(n: int) -> list[int]:
    """n parsed CVs to correct (the generated fixtures, through `ingest`); their candidate ids."""
    init_db()
    docs = sorted(p for p in SEED_DOCS.glob("*") if p.suffix in (".txt", ".pdf", ".docx"))[:n]
    ids = []
    with session_scope() as session:
        accounts(session)
        for p in docs:
            r = ingest(
                session=session, name=p.name, data=p.read_bytes(), user=SYSTEM_USER, batch_id=None
            )
            if r.candidate_id is not None:
                ids.append(r.candidate_id)
    return ids


def recruiter(user: str, ids: list[int], seconds: float, seed: int, out: str) -> None:
    """One recruiter process: open a random CV, edit one value, save; merge on conflict."""
    rng = random.Random(seed)
    log: dict[str, Any] = {"user": user, "saves": [], "conflicts": 0, "merged": 0, "errors": []}
    deadline = time.monotonic() + seconds
    k = 0
    with session_scope() as session:
        while time.monotonic() < deadline:
            k += 1
            try:
                _one_save(session, user, rng.choice(ids), k, rng, log)
            except Exception as e:  # counted: the benchmark reports unhandled errors
                session.rollback()
                log["errors"].append(f"{type(e).__name__}: {str(e)[:200]}")
            time.sleep(rng.uniform(0, 0.05))
    Path(out).write_text(json.dumps(log))


def _one_save(
    session: Session, user: str, cid: int, k: int, rng: random.Random, log: dict[str, Any]
) -> None:
    task = open_candidate(session=session, candidate_id=cid, user=user)
    scalars = [f for f in task.fields if isinstance(f.field.value, str)]
    if not scalars:
        return
    path = rng.choice(scalars).path
    change = FieldChange(path, "edit", f"{user} edit {k}")
    result = save_corrections(
        session=session,
        candidate_id=cid,
        user=user,
        expected_version=task.candidate.version_id,
        changes=[change],
        seconds_spent=1.0,
    )
    while result.conflict is not None:
        log["conflicts"] += 1
        result = merge_after_conflict(
            session=session,
            conflict=result.conflict,
            user=user,
            seconds_spent=1.0,
            override=rng.random() < 0.5,
        )
        log["merged"] += result.ok
    if result.correction_ids:
        log["saves"].append([cid, result.version, result.correction_ids])


def run_recruiters(*, seconds: float, n_candidates: int) -> dict[str, Any]:
    """Four recruiter processes on the database in the environment; the replay check after."""
    import evaluation.bench_load as module  # by module name: under -m (and AppTest) __main__ moves

    ids = seed_candidates(n_candidates)
    dispose_engines()
    ctx = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as tmp:
        outs = [str(Path(tmp) / f"{u}.json") for u in RECRUITERS]
        procs = [
            ctx.Process(target=module.recruiter, args=(u, ids, seconds, i, out))
            for i, (u, out) in enumerate(zip(RECRUITERS, outs, strict=True))
        ]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        logs = [json.loads(Path(o).read_text()) for o in outs if Path(o).exists()]
    crashed = len(RECRUITERS) - len(logs)
    saves = [s for lg in logs for s in lg["saves"]]
    return {
        "candidates": len(ids),
        "seconds": seconds,
        "recruiters": len(RECRUITERS),
        "saves": len(saves),
        "saves_per_second": round(len(saves) / seconds, 1),
        "conflicts": sum(lg["conflicts"] for lg in logs),
        "merged_after_conflict": sum(lg["merged"] for lg in logs),
        "unhandled_errors": sum(len(lg["errors"]) for lg in logs) + crashed,
        "error_samples": [e for lg in logs for e in lg["errors"]][:5],
        "lost_updates": lost_updates(saves, ids),
    }


def lost_updates(saves: list[list[Any]], ids: list[int]) -> int:
    """Committed saves missing from the database, plus version gaps (a save that bumped the
    version but left no rows, or two saves claiming one version)."""
    lost = 0
    with session_scope() as session:
        rows = {c.id: c for c in session.exec(select(Correction))}
        versions = dict(session.exec(select(Candidate.id, Candidate.version_id)).all())
    for cid, version, correction_ids in saves:
        if any(
            i not in rows or rows[i].candidate_id != cid or rows[i].candidate_version != version
            for i in correction_ids
        ):
            lost += 1
    by_cand = Counter(cid for cid, _, _ in saves)
    claimed = Counter((cid, v) for cid, v, _ in saves)
    lost += sum(n - 1 for n in claimed.values() if n > 1)
    lost += sum(abs(versions[c] - 1 - by_cand.get(c, 0)) for c in ids)
    return lost


# --- main ---------------------------------------------------------------------------------------


def markdown(out: dict[str, Any]) -> str:
    """The report."""
    lines = ["## Load (issue 7)", "", f"Machine: {out['machine']}", ""]
    b = out.get("batch")
    if b:
        lines += [
            f"Batch: {b['files']} files ({b['hostile']} hostile) through `intake_batch` on "
            f"PostgreSQL, `cvassist worker --concurrency {b['workers']}`.",
            "",
            "| files | end states | accounted for | parsed twice | duplicate candidates "
            "| seconds | files/s | queue page p50 / p95 / max (ms) | renders | ≤ 2 s |",
            "|---|---|---|---|---|---|---|---|---|---|",
            f"| {b['files']} | {b.get('end_states')} | {b.get('accounted_for')} "
            f"| {b.get('documents_parsed_twice')} | {b.get('duplicate_candidates')} "
            f"| {b['seconds']} | {b['files_per_second']} "
            f"| {b['page_p50_ms']} / {b['page_p95_ms']} / {b['page_max_ms']} "
            f"| {b['page_renders']} | {'PASS' if b['page_pass'] else 'FAIL'} |",
            "",
        ]
    for backend, r in out.get("recruiters", {}).items():
        if "skipped" in r:
            lines.append(f"Recruiters on {backend}: {r['skipped']}")
            continue
        lines += [
            f"Recruiters on {backend}: {r['recruiters']} processes x {r['seconds']} s on "
            f"{r['candidates']} CVs: {r['saves']} saves ({r['saves_per_second']}/s), "
            f"{r['conflicts']} conflicts ({r['merged_after_conflict']} merged), "
            f"**{r['lost_updates']} lost updates, {r['unhandled_errors']} unhandled errors**.",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; 1 when a check fails (something unaccounted, lost or unhandled)."""
    ap = argparse.ArgumentParser(prog="python -m evaluation.bench_load", description=__doc__)
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--hostile", type=int, default=20)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=3600.0, help="give up on the batch after")
    ap.add_argument("--seconds", type=float, default=300.0, help="recruiters' run per backend")
    ap.add_argument("--candidates", type=int, default=20, help="CVs the recruiters share")
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--skip-recruiters", action="store_true")
    ns = ap.parse_args(argv)
    out: dict[str, Any] = {"machine": machine(), "argv": sys.argv[1:], "recruiters": {}}
    why_not_pg = pg_unreachable()
    with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
        if not ns.skip_batch:
            if why_not_pg:
                out["batch"] = None
                print(why_not_pg, file=sys.stderr)
            else:
                with pg_schema() as url, app_env(url, Path(tmp) / "batch"):
                    out["batch"] = run_batch(
                        n_files=ns.files,
                        n_hostile=ns.hostile,
                        workers=ns.workers,
                        timeout=ns.timeout,
                    )
        if not ns.skip_recruiters:
            for backend in ("postgresql", "sqlite"):
                if backend == "postgresql" and why_not_pg:
                    out["recruiters"][backend] = {"skipped": why_not_pg}
                    continue
                data = Path(tmp) / f"rec-{backend}"
                with backend_url(backend, data / "cvassist.sqlite") as url:
                    with app_env(url, data):
                        out["recruiters"][backend] = run_recruiters(
                            seconds=ns.seconds, n_candidates=ns.candidates
                        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(out, indent=2, default=str))
    print(markdown(out))
    b = out.get("batch") or {}
    failed = (b and not b.get("accounted_for")) or any(
        r.get("lost_updates") or r.get("unhandled_errors") for r in out["recruiters"].values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
