"""`make bench`: the project's parser and the naive baseline on the same documents.

Documents: the committed generated fixtures (tests/fixtures/generated) and, when ../shared/eval
is beside the repository, a fixed sample of it (every jsonresume PDF, DOTIN_SAMPLE dotin PDFs
evenly spaced, every reallayout PDF). Prints Markdown tables (quality per field, speed,
1 vs 2 workers) and writes them all to bench_out/bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from evaluation import harness
from evaluation.report import ABBR, DASH, num, pct, speed_table, table
from evaluation.scoring import FIELDS

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "tests" / "fixtures" / "generated"
SHARED_EVAL = ROOT.parent / "shared" / "eval"
OUT = ROOT / "bench_out" / "bench.json"
DOTIN_SAMPLE = 40
GENERATED_SAMPLE = 120
PAGES_MIN_DOCS = 3  # a page-count row needs this many PDFs to say anything
OURS, BASELINE = "cvassist", "baseline"


def evenly(docs: list[harness.EvalDoc], n: int) -> list[harness.EvalDoc]:
    """n documents spread evenly over the list (all of them when there are fewer)."""
    if len(docs) <= n:
        return docs
    return [docs[i * len(docs) // n] for i in range(n)]


def bench_documents() -> dict[str, list[harness.EvalDoc]]:
    """The fixed benchmark suites that exist on this machine, by name."""
    suites: dict[str, list[harness.EvalDoc]] = {}
    if (GENERATED / "index.jsonl").is_file():
        suites["generated"] = evenly(harness.load_documents(GENERATED), GENERATED_SAMPLE)
    if (SHARED_EVAL / "index.jsonl").is_file():
        pdfs = harness.load_documents(SHARED_EVAL, formats=["pdf"])
        by_set = {ds: [d for d in pdfs if d.dataset == ds] for ds in ("jsonresume", "reallayout")}
        dotin = evenly([d for d in pdfs if d.dataset == "dotin"], DOTIN_SAMPLE)
        suites["shared-eval sample"] = by_set["jsonresume"] + dotin + by_set["reallayout"]
    return suites


def machine() -> dict[str, Any]:
    """Date, platform, CPU count, Python version and git commit of this run."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
            timeout=10, check=False,
        ).stdout.strip() or "uncommitted"  # fmt: skip
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True,
            timeout=10, check=False,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "unknown", ""
    return {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "git_commit": commit + (" (with uncommitted changes)" if dirty else ""),
    }


def _slice(run: harness.Run, docs: list[harness.EvalDoc]) -> harness.Run:
    """The part of a run over a subset of its documents (by identity)."""
    ids = {id(d) for d in docs}
    return harness.Run([r for r in run.results if id(r.doc) in ids], run.wall_s, run.startup_s)


def quality_table(ours: dict[str, Any] | None, base: dict[str, Any]) -> str:
    """Rows = fields + macro F1; columns = ours, baseline, difference (F1 %)."""
    rows = []
    for f in FIELDS:
        b = base["overall"]["fields"].get(f)
        if b is None:
            continue
        o = ours["overall"]["fields"].get(f) if ours else None
        of1, bf1 = (o or {}).get("f1"), b.get("f1")
        diff = DASH if of1 is None or bf1 is None else f"{100 * (of1 - bf1):+.1f}"
        rows.append([ABBR[f], str(b["support"]), pct(of1), pct(bf1), diff])
    om, bm = (ours["overall"]["macro_f1"] if ours else None), base["overall"]["macro_f1"]
    diff = DASH if om is None or bm is None else f"{100 * (om - bm):+.1f}"
    rows.append(["**macro F1**", "", pct(om), pct(bm), diff])
    return table(["field", "support", "ours F1", "baseline F1", "Δ"], rows)


def by_pages(runs: dict[str, harness.Run], ours: str, base: str) -> list[dict[str, Any]]:
    """Median ms per PDF by page count, ours vs the baseline on the same documents.

    Each worker parses one document at a time, so a document's ms is the cost on one core. Page
    counts come from our parse (the baseline does not report them)."""
    pages = {id(r.doc): r.pages for r in runs[ours].results if r.doc.fmt == "pdf" and r.pages}
    rows = []
    for n in sorted(set(pages.values())):
        ids = {k for k, v in pages.items() if v == n}
        o = [r.ms for r in runs[ours].results if id(r.doc) in ids and r.ms > 0]
        b = [r.ms for r in runs[base].results if id(r.doc) in ids and r.ms > 0]
        if len(o) < PAGES_MIN_DOCS or len(b) < PAGES_MIN_DOCS:
            continue
        om, bm = float(np.median(o)), float(np.median(b))
        rows.append({"pages": n, "n_docs": len(o), "ours_ms": om, "baseline_ms": bm,
                     "ours_ms_per_page": om / n, "ratio": bm / om})  # fmt: skip
    return rows


def _pages_row(r: dict[str, Any]) -> list[str]:
    cells = (r["ours_ms"], r["ours_ms_per_page"], r["baseline_ms"])
    return [str(r["pages"]), str(r["n_docs"]), *map(num, cells), f"{r['ratio']:.1f}×"]


def pages_table(rows: list[dict[str, Any]]) -> str:
    """The by-page-count speed rows as Markdown."""
    return table(
        ["PDF pages", "docs", "ours median ms", "ms per page", "baseline median ms", "ratio"],
        [_pages_row(r) for r in rows],
    )


def run_bench(workers: int = 2, progress: bool = False) -> dict[str, Any]:
    """Run both parsers (and ours with 1 worker) over the suites; the full result dict."""
    suites = bench_documents()
    docs = [d for suite in suites.values() for d in suite]
    out: dict[str, Any] = {"machine": machine(), "suites": {}, "speed": {}, "notes": []}
    if not docs:
        out["notes"].append("no benchmark documents found (fixtures or ../shared/eval)")
        return out
    try:
        harness.resolve_parser(OURS)
        have_ours = True
    except ImportError as e:
        have_ours = False
        out["notes"].append(f"the project's parser cannot be imported ({e}); baseline only")
    plan = [(OURS, workers), (BASELINE, workers)] if have_ours else [(BASELINE, workers)]
    if have_ours and workers > 1:
        plan.insert(0, (OURS, 1))  # right before the 2-worker run: similar machine load
    runs: dict[str, harness.Run] = {}
    loads: dict[str, float] = {}
    for parser, n in plan:
        name = parser if n == workers else f"{parser} ({n} worker)"
        loads[name] = os.getloadavg()[0]
        runs[name] = harness.run_parser(docs, parser, n, progress)
    for name, suite in suites.items():
        meta = {"dir": name, "n_docs": len(suite), "date": out["machine"]["date"]}
        out["suites"][name] = {
            p: harness.summarize(_slice(runs[p], suite), workers, {**meta, "parser": p})
            for p in (OURS, BASELINE)
            if p in runs
        }
    for name, run in runs.items():
        out["speed"][name] = harness.speed_summary(run, 1 if "1 worker" in name else workers)
        out["speed"][name]["load_avg_before"] = loads[name]
    if OURS in runs:  # like for like: both parsers with the same number of workers
        out["by_pages"] = by_pages(runs, OURS, BASELINE)
    s = out["speed"]
    if OURS in s and s[OURS]["median_ms"] and s[BASELINE]["median_ms"]:
        out["speed_ratio_baseline_over_ours"] = s[BASELINE]["median_ms"] / s[OURS]["median_ms"]
    one = s.get(f"{OURS} (1 worker)")
    if one and one["docs_per_s"] and s[OURS]["docs_per_s"]:
        out["throughput_ratio_workers"] = s[OURS]["docs_per_s"] / one["docs_per_s"]
    return out


def render(out: dict[str, Any], workers: int) -> str:
    """The Markdown report of a bench run."""
    m = out["machine"]
    parts = [
        "# cvassist bench",
        f"{m['date']} · {m['platform']} · {m['cpu_count']} CPUs · Python {m['python']} · "
        f"commit {m['git_commit']}",
        *(f"> {n}" for n in out["notes"]),
    ]
    for name, res in out["suites"].items():
        base = res[BASELINE]
        datasets = ", ".join(f"{k} {v['n_docs']}" for k, v in base["by_dataset"].items())
        parts += [
            f"## Quality: {name} ({base['meta']['n_docs']} documents: {datasets})",
            quality_table(res.get(OURS), base),
        ]
        if len(base["by_dataset"]) > 1:
            lines = []
            for ds, sub_b in base["by_dataset"].items():
                sub_o = res.get(OURS, {}).get("by_dataset", {}).get(ds)
                o_m = sub_o["macro_f1"] if sub_o else None
                b_m = sub_b["macro_f1"]
                lines.append(f"- {ds}: macro F1 ours {pct(o_m)} vs baseline {pct(b_m)}")
            parts.append("\n".join(lines))
    if out["speed"]:
        parts += [
            f"## Speed (same documents; ms per document inside a worker, {workers} workers "
            "unless noted; warm-up excluded)",
            speed_table(out["speed"]),
        ]
        ratio = out.get("speed_ratio_baseline_over_ours")
        parts.append(f"Speed ratio (baseline median ms / ours median ms): **{num(ratio, '.1f')}×**")
        loads = ", ".join(
            f"{k} {v['load_avg_before']:.1f}"
            for k, v in out["speed"].items()
            if v.get("load_avg_before") is not None
        )
        if loads:
            parts.append(f"1-min load average before each run (others skew timings): {loads}")
        if out.get("by_pages"):
            parts += [
                f"PDF cost by page count (both parsers with {workers} workers; ms of one "
                "document in one process):",
                pages_table(out["by_pages"]),
            ]
        tr = out.get("throughput_ratio_workers")
        if tr is not None:
            parts.append(f"Throughput {workers} workers vs 1 worker (ours): **{tr:.2f}×**")
    return "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m evaluation.bench` (make bench)."""
    ap = argparse.ArgumentParser(prog="python -m evaluation.bench", description=__doc__)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(OUT), help="JSON results file")
    ap.add_argument("--progress", action="store_true", help="progress lines on stderr")
    ns = ap.parse_args(argv)
    t0 = time.perf_counter()
    out = run_bench(ns.workers, ns.progress)
    out["bench_wall_s"] = time.perf_counter() - t0
    print(render(out, ns.workers))
    print(f"Total bench time {out['bench_wall_s']:.0f} s; results in {ns.out}")
    for res in out["suites"].values():
        for summary in res.values():
            summary.pop("documents", None)  # keep the file small; per-doc rows are in eval
    path = Path(ns.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")
    return 0 if out["suites"] and not out["notes"] else 1


if __name__ == "__main__":
    sys.exit(main())
