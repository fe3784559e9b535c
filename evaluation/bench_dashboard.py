"""`make bench-dashboard`, the issue-6 benchmark: with 100,000 corrections stored, the HR lead
dashboard renders in ≤ 1.5 s of server time, on SQLite and on PostgreSQL.

Seeding reuses `evaluation.bench_app_seed`: the generated fixtures go through the real workflows
(ingest, open, save) once and are cloned in bulk for `--docs` documents; then more saves are
added, each a copy of a real save of that CV's template (its field paths, confidences, actions)
re-timed over the last 90 days, until exactly `--corrections` rows exist. Measured, as median and
p95 after warm-up: the page's workflow (`dashboard_data`, drift check included) and the page's
whole server run through streamlit's AppTest, for the default 30-day and a 365-day range (every
correction in range). Prints Markdown and writes bench_out/bench_dashboard.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlmodel import Session, col

from correction.accounts import create_user, get_account
from correction.dashboard import dashboard_data
from data.db import get_engine, init_db, session_scope
from data.models import Candidate, Correction
from data.store import FileStore
from evaluation.bench import machine
from evaluation.bench_app import app_settings, median, peak_rss_mb, repeat, stats
from evaluation.bench_app_seed import (
    DAYS,
    REVIEWERS,
    SEED,
    Planned,
    RowSet,
    backend_url,
    load_templates,
    plan,
    seed,
    template_rows,
    usable_backends,
)

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench_out" / "bench_dashboard.json"
PAGE = ROOT / "ui" / "dashboard.py"
TARGET_MS = 1500.0
LEAD = "bench-lead"
PASSWORD = "bench password 1"  # a throw-away database's accounts
CHUNK = 20_000  # correction rows per INSERT batch
RANGES = {"30 days": 30, "365 days": 365}  # the page's default, and every correction in range


def add_lead(engine: Engine) -> None:
    """The HR lead the dashboard is rendered for (corrections name their reviewers, who need no
    account to be counted)."""
    with Session(engine, expire_on_commit=False) as session:
        if get_account(session=session, username=LEAD) is None:
            create_user(session=session, username=LEAD, role="hr_lead", password=PASSWORD)


def top_up(
    engine: Engine,
    planned: list[Planned],
    rowsets: dict[tuple[int, str], RowSet],
    target: int,
    *,
    now: datetime,
) -> int:
    """Add saves until `target` corrections exist: each one the rows of a real complete review
    of that CV's template, on a random CV, at a random time of the last DAYS days. Rows added."""
    rng = random.Random(SEED)
    with Session(engine) as session:
        have = session.execute(select(func.count()).select_from(Correction)).scalar_one()
        cands = session.execute(
            select(col(Candidate.id), col(Candidate.parse_result_id)).order_by(col(Candidate.id))
        ).all()
        if len(cands) != len(planned):
            raise RuntimeError("the seeded candidates do not match the plan")
        need, batch, version = target - have, [], 1000
        while need > 0:
            k = rng.randrange(len(cands))
            rows = rowsets[(planned[k].template, "reviewed")].corrections[:need]
            at = now - timedelta(days=rng.uniform(0, DAYS))
            version += 1
            batch += [
                {
                    **r,
                    "candidate_id": cands[k][0],
                    "parse_result_id": cands[k][1],
                    "username": REVIEWERS[k % len(REVIEWERS)],
                    "candidate_version": version,
                    "at": at,
                }
                for r in rows
            ]
            need -= len(rows)
            if len(batch) >= CHUNK or need <= 0:
                session.execute(insert(Correction.__table__), batch)  # type: ignore[attr-defined]
                batch = []
        session.commit()
        total = session.execute(select(func.count()).select_from(Correction)).scalar_one()
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return int(total - have)


def measure(engine: Engine, repeats: int, warmup: int) -> dict[str, Any]:
    """The workflow and the page, per range: median and p95 against the target."""
    from streamlit.testing.v1 import AppTest

    out: dict[str, Any] = {}
    for label, days in RANGES.items():

        def workflow(_: int, days: int = days) -> None:
            now = datetime.now(UTC)
            with session_scope(engine) as session:
                d = dashboard_data(
                    session=session, user=LEAD, since=now - timedelta(days=days), until=now
                )
            assert d.trend and d.kpis.cvs_reviewed

        out[f"dashboard_data, {label}"] = _timed(workflow, repeats, warmup)
        at = AppTest.from_file(str(PAGE), default_timeout=120)
        at.session_state["user"] = LEAD

        def page(_: int, at: AppTest = at, label: str = label) -> None:
            at.run()
            assert not at.exception, at.exception
            assert at.title[0].value == "Dashboard" and at.get("vega_lite_chart")

        page(0)  # first run: the default range is selected
        if label != "30 days":
            at.selectbox[0].set_value(f"Last {label}")
        out[f"page (AppTest), {label}"] = _timed(page, repeats, warmup)
    return out


def _timed(fn: Callable[[int], None], repeats: int, warmup: int) -> dict[str, Any]:
    """Wall-clock stats of fn (the verdict), plus the median CPU time of this process: on a
    shared, overloaded machine it shows what the path itself costs (SQLite runs in-process;
    PostgreSQL's server time is not in it)."""
    cpu: list[float] = []

    def timed(k: int) -> None:
        t0 = time.process_time()
        fn(k)
        cpu.append((time.process_time() - t0) * 1000)

    s = stats(repeat(timed, repeats, warmup), "queue")  # the verdict is re-decided below
    return {**s, "cpu_median_ms": round(median(cpu[warmup:]), 1), "target_ms": TARGET_MS,
            "pass": s["p95_ms"] <= TARGET_MS}  # fmt: skip


def run_backend(url: str, work: Path, ns: argparse.Namespace, prepared: Callable[..., Any]) -> Any:
    """Seed one database with the prepared rows, then measure."""
    planned, templates, rowsets = prepared()
    with app_settings(url, work / "data"):
        engine = get_engine(url)
        init_db(engine)
        add_lead(engine)
        seeded = seed(engine, planned, templates, rowsets, FileStore(work / "data" / "files"))
        t0 = time.perf_counter()
        added = top_up(engine, planned, rowsets, ns.corrections, now=datetime.now(UTC))
        seeded |= {"top_up_rows": added, "top_up_seconds": round(time.perf_counter() - t0, 1)}
        load_before = os.getloadavg()[0]
        measures = measure(engine, ns.repeats, ns.warmup)
        return {
            "seed": seeded,
            "load_avg_1min": {"before": load_before, "after": os.getloadavg()[0]},
            "measures": measures,
            "peak_rss_mb": peak_rss_mb(),
        }


def run(ns: argparse.Namespace) -> dict[str, Any]:
    """Templates once, then every backend; the result dict."""
    out: dict[str, Any] = {
        "machine": {**machine(), "load_avg_1min": os.getloadavg()[0]},
        "config": {k: getattr(ns, k) for k in ("docs", "corrections", "repeats", "warmup")},
        "target_ms": TARGET_MS,
        "backends": {},
        "notes": [],
    }
    backends = usable_backends(ns.backends, out["notes"])
    with tempfile.TemporaryDirectory(prefix="cvassist-bench-dash-") as tmp:
        work = Path(tmp)
        templates = load_templates(ns.templates)
        rowsets = template_rows(templates, work)
        planned = plan(ns.docs, len(templates), now=datetime.now(UTC))
        for backend in backends:
            with backend_url(backend, work / "bench.sqlite") as url:
                out["backends"][backend] = run_backend(
                    url, work, ns, lambda: (planned, templates, rowsets)
                )
    return out


def render(out: dict[str, Any]) -> str:
    """The Markdown report."""
    m, cfg = out["machine"], out["config"]
    parts = [
        "# cvassist dashboard benchmark (issue 6)",
        f"{m['date']} · {m['platform']} · {m['cpu_count']} CPUs · Python {m['python']} · "
        f"commit {m['git_commit']} · 1-min load average {m['load_avg_1min']:.2f}",
        f"{cfg['corrections']:,} corrections on {cfg['docs']:,} parsed CVs; {cfg['repeats']} "
        f"timed runs after {cfg['warmup']} warm-up. **PASS = p95 ≤ {TARGET_MS:.0f} ms** "
        "(server time; pages through AppTest).",
        *(f"> {n}" for n in out["notes"]),
        "| backend | path | median ms | p95 ms | p95 / target | verdict | CPU median ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for b, r in out["backends"].items():
        for path, s in r["measures"].items():
            verdict = "PASS" if s["pass"] else "**FAIL**"
            parts.append(
                f"| {b} | {path} | {s['median_ms']:.0f} | {s['p95_ms']:.0f} | "
                f"{s['p95_ms'] / TARGET_MS:.2f} | {verdict} | {s['cpu_median_ms']:.0f} |"
            )
    for b, r in out["backends"].items():
        s = r["seed"]
        parts.append(
            f"{b}: seeded {s['documents']:,} documents in {s['seconds']:.0f} s, then "
            f"{s['top_up_rows']:,} more corrections in {s['top_up_seconds']:.0f} s; peak RSS "
            f"{r['peak_rss_mb']:.0f} MB; load {r['load_avg_1min']['before']:.2f} → "
            f"{r['load_avg_1min']['after']:.2f}."
        )
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m evaluation.bench_dashboard`; 1 when a target fails."""
    ap = argparse.ArgumentParser(prog="python -m evaluation.bench_dashboard", description=__doc__)
    ap.add_argument("--corrections", type=int, default=100_000, help="corrections stored")
    ap.add_argument("--docs", type=int, default=3_000, help="parsed CVs they belong to")
    ap.add_argument("--repeats", type=int, default=10, help="timed runs of each path")
    ap.add_argument("--warmup", type=int, default=2, help="untimed runs before each path")
    ap.add_argument("--templates", type=int, default=6, help="fixtures to clone")
    ap.add_argument("--backends", default="sqlite,postgresql", help="comma-separated")
    ap.add_argument("--out", default=str(OUT), help="JSON results file")
    ns = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = run(ns)
    out["bench_wall_s"] = round(time.perf_counter() - t0, 1)
    print(render(out))
    path = Path(ns.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, default=str), encoding="utf-8")
    print(f"Total {out['bench_wall_s']:.0f} s; results in {ns.out}")
    ok = all(s["pass"] for r in out["backends"].values() for s in r["measures"].values())
    return 0 if ok and not out["notes"] else 1


if __name__ == "__main__":
    sys.exit(main())
