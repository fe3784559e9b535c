"""`make bench-export`, the issue-6 benchmark: a CSV export of 100,000 candidates streams in
≤ 60 s with flat memory, on SQLite and on PostgreSQL.

The database is seeded as `make bench-app` seeds it (`evaluation.bench_app_seed`: rows the real
workflows wrote, cloned in bulk; 70 % new, 10 % in review, 20 % reviewed, so about 30 % of the
candidates have corrections to replay). The export runs in a fresh child process at a first
checkpoint (10,000 candidates) and again at the full size, through the same `export` workflow the
page and `cvassist export` call; the child reports its wall and CPU time and how far its resident
memory (sampled every 10 ms) rose above what it held before exporting. Flat memory = that rise
does not grow with the number of candidates (a 10× larger export may add at most
`FLAT_SLACK_MB`). Prints Markdown and writes bench_out/bench_export.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from data.db import dispose_engines, get_engine, init_db
from data.store import FileStore

# The seeding helpers (and the parser they load) are imported by the parent only: the export
# child stays light, so its memory is the export's.

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench_out" / "bench_export.json"
TARGET_S = 60.0
N = 100_000
CHECKPOINT = 10_000
FLAT_SLACK_MB = 32.0  # allowed rise of the export's extra memory from CHECKPOINT to N
SAMPLE_S = 0.01  # memory sampling interval during an export
TEMPLATES = 9  # generated fixtures used as templates (pdf, docx, txt in turn)


def child(url: str, fmt: str, out: str, pseudonymise: bool) -> dict[str, Any]:
    """Run one export in this process; seconds, count, bytes and memory rise (MB)."""
    from correction.access import SYSTEM_USER
    from correction.export import export
    from data.export import ExportFilters

    engine = get_engine(url)
    with engine.connect():  # connect (and load the driver) before the baseline
        pass
    before = _rss_mb()
    sampler = _Sampler()
    sampler.start()
    t0, cpu0 = time.perf_counter(), time.process_time()
    with Session(engine, expire_on_commit=False) as session, open(out, "wb") as f:
        report = export(
            session=session,
            user=SYSTEM_USER,
            fmt=fmt,
            filters=ExportFilters(),
            pseudonymise=pseudonymise,
            out=f,
        )
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0  # this process only: the database's own time is not in it
    sampler.stop()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "count": report.count,
        "bytes": Path(out).stat().st_size,
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(sampler.peak, 1),
        "rise_mb": round(max(0.0, sampler.peak - before), 1),
    }


class _Sampler(threading.Thread):
    """Resident memory sampled every SAMPLE_S while the export runs; `peak` is the highest."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = _rss_mb()
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(SAMPLE_S):
            self.peak = max(self.peak, _rss_mb())

    def stop(self) -> None:
        """Stop sampling (one last sample first)."""
        self.peak = max(self.peak, _rss_mb())
        self._done.set()
        self.join()


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def run_child(url: str, fmt: str, workdir: Path, pseudonymise: bool) -> dict[str, Any]:
    """One export in a fresh interpreter, so its memory is its own."""
    out = workdir / f"export.{fmt}"
    cmd = [sys.executable, "-m", "evaluation.bench_export", "--child", url, "--format", fmt]
    cmd += ["--out", str(out), *(["--pseudonymise"] if pseudonymise else [])]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"export child failed: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    out.unlink(missing_ok=True)
    return result


def bench_backend(
    url: str, n: int, checkpoint: int, workdir: Path, store: FileStore, args: argparse.Namespace
) -> dict[str, Any]:
    """Seed to the checkpoint, export; seed to n, export. Results per size."""
    from evaluation.bench_app_seed import plan, seed

    templates, rowsets = args.templates, args.rowsets
    engine = get_engine(url)
    init_db(engine)
    planned = plan(n, len(templates), now=datetime.now(UTC))
    out: dict[str, Any] = {"seeding": [], "exports": {}}
    done = 0
    for size in sorted({min(checkpoint, n), n}):
        counts = seed(engine, planned[done:size], templates, rowsets, store, progress=args.verbose)
        out["seeding"].append(counts)
        done = size
        for pseudo in (False, True) if args.pseudonymised else (False,):
            key = f"{size}{' pseudonymised' if pseudo else ''}"
            out["exports"][key] = run_child(url, args.format, workdir, pseudo)
            print(f"  {engine.dialect.name} {key}: {out['exports'][key]}", file=sys.stderr)
    small, big = out["exports"][str(min(checkpoint, n))], out["exports"][str(n)]
    out["pass_time"] = big["seconds"] <= TARGET_S
    out["pass_flat"] = big["rise_mb"] - small["rise_mb"] <= FLAT_SLACK_MB
    out["ratio_to_target"] = round(big["seconds"] / TARGET_S, 3)
    dispose_engines()
    return out


def markdown(results: dict[str, Any], n: int, checkpoint: int) -> str:
    """The results as a Markdown table."""
    lines = [
        f"## CSV export of {n:,} candidates (target ≤ {TARGET_S:.0f} s, flat memory)",
        "",
        "| backend | candidates | seconds | CPU s | candidates/s | file MB | memory rise MB "
        "| pass |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for backend, r in results["backends"].items():
        if "skipped" in r:
            lines.append(f"| {backend} | – | – | – | – | – | – | {r['skipped']} |")
            continue
        for key, e in r["exports"].items():
            rate = e["count"] / e["seconds"] if e["seconds"] else 0
            ok = "yes" if r["pass_time"] and r["pass_flat"] else "no"
            lines.append(
                f"| {backend} | {key} | {e['seconds']:.1f} | {e['cpu_seconds']:.1f} | "
                f"{rate:,.0f} | {e['bytes'] / 2**20:.1f} | {e['rise_mb']:.1f} | "
                f"{ok if key == str(n) else ''} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Seed, export, report; 0 when every backend run passes."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=N)
    ap.add_argument("--checkpoint", type=int, default=CHECKPOINT)
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--format", default="csv", choices=["csv", "xlsx", "json", "jsonresume"])
    ap.add_argument("--pseudonymised", action="store_true", help="also time --pseudonymise")
    ap.add_argument("--out", default=str(OUT))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)  # internal: run one export at this URL
    ap.add_argument("--pseudonymise", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.format, args.out, args.pseudonymise)))
        return 0
    # a stopped bench still drops its PostgreSQL schema and temporary files (the context exits)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    from evaluation.bench import machine
    from evaluation.bench_app_seed import load_templates, pg_schema, pg_unreachable, template_rows

    results: dict[str, Any] = {"machine": machine(), "n": args.n, "backends": {}}
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cvexport-")))
        os.environ["CVASSIST_DATA_DIR"] = str(workdir / "data")  # the pseudonym key goes here
        t0 = time.perf_counter()
        args.templates = load_templates(TEMPLATES)
        args.rowsets = template_rows(args.templates, workdir)
        results["templates_seconds"] = round(time.perf_counter() - t0, 1)
        store = FileStore(workdir / "files")
        for backend in args.backends.split(","):
            if backend == "postgresql":
                reason = pg_unreachable()
                if reason:
                    results["backends"][backend] = {"skipped": reason}
                    continue
                url = stack.enter_context(pg_schema())
            else:
                url = f"sqlite:///{workdir / 'bench.sqlite'}"
            print(f"{backend}: seeding and exporting {args.n:,} candidates", file=sys.stderr)
            results["backends"][backend] = bench_backend(
                url, args.n, args.checkpoint, workdir, store, args
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))
    print(markdown(results, args.n, args.checkpoint))
    ok = all(
        r.get("pass_time", True) and r.get("pass_flat", True) for r in results["backends"].values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
