"""`cvassist eval DIR`: run a parser over a labelled directory and score it field by field.

DIR holds `index.jsonl` in the shared/eval format (`{dataset, id, gt, files[],
annotated_fields[], original_format, layout?}`, paths relative to DIR). Every file of every entry
whose extension is in --formats is one evaluated document. Parsing runs in worker processes
(each warmed up once, recycled every MAX_TASKS_PER_CHILD documents); scoring runs here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from evaluation import scoring
from evaluation.calibration import calibration_summary
from parsing.model import ParsedCV, Status

PARSERS = ("cvassist", "baseline")
MAX_TASKS_PER_CHILD = 200  # documents per worker before it is replaced
READY_SLEEP_S = 0.3
DOC_TIMEOUT_S = 120  # a document that takes longer is recorded as a timeout
MAX_ATTEMPTS = 3  # a document whose worker keeps dying is recorded as failed
PROGRESS_EVERY = 100
WARMUP_TEXT = (
    "Jane Example\njane@example.com\n+44 20 7946 0958\n\nExperience\n"
    "Software Engineer, Example Ltd, London\nJan 2019 - Present\n\nSkills\nPython, SQL\n"
)


class EvalDirError(Exception):
    """The evaluation directory is missing or has no readable index.jsonl."""


@dataclass(frozen=True, slots=True)
class EvalDoc:
    """One evaluated file: its index entry's ground truth and the slices it belongs to."""

    doc_id: str
    dataset: str
    path: Path
    fmt: str
    layout: str
    gt: dict[str, Any]
    annotated: tuple[str, ...]


@dataclass(slots=True)
class DocResult:
    """Outcome of one document: parse status, time, worker peak RSS and its score."""

    doc: EvalDoc
    status: str
    ms: float
    rss_kb: int
    score: scoring.DocScore = field(default_factory=scoring.DocScore)
    message: str | None = None
    pages: int | None = None  # None = the parse did not say (failed, or a parser without it)


# ---------------------------------------------------------------- loading


def derive_layout(entry: dict[str, Any], path: Path, fmt: str) -> str:
    """A `__<layout>` file suffix, else the entry's `layout` (not for TXT), else by format."""
    if "__" in path.stem:
        return path.stem.rsplit("__", 1)[1]
    if fmt == "txt":
        return "plain-text"
    if entry.get("layout"):
        return str(entry["layout"])
    if fmt == "docx":
        return "docx"
    return "plain-render" if entry.get("original_format") == "txt" else "pdf"


def load_documents(
    root: Path, formats: Iterable[str] | None = None, datasets: Iterable[str] | None = None
) -> list[EvalDoc]:
    """Every file of every index entry with a wanted extension (raises EvalDirError)."""
    index = root / "index.jsonl"
    if not index.is_file():
        raise EvalDirError(f"{root} has no index.jsonl")
    fmts = {f.strip().lower().lstrip(".") for f in formats or [] if f.strip()}
    sets = {d.strip() for d in datasets or [] if d.strip()}
    docs: list[EvalDoc] = []
    try:
        lines = index.read_text(encoding="utf-8").splitlines()
        for line in lines:
            if not line.strip():
                continue
            entry = json.loads(line)
            if sets and entry["dataset"] not in sets:
                continue
            gt = entry["gt"]
            if isinstance(gt, str):
                gt = json.loads((root / gt).read_text(encoding="utf-8"))
            for rel in entry["files"]:
                path = root / rel
                fmt = path.suffix.lower().lstrip(".")
                if fmts and fmt not in fmts:
                    continue
                docs.append(
                    EvalDoc(
                        doc_id=str(entry["id"]),
                        dataset=str(entry["dataset"]),
                        path=path,
                        fmt=fmt,
                        layout=derive_layout(entry, path, fmt),
                        gt=gt,
                        annotated=tuple(entry.get("annotated_fields") or scoring.FIELDS),
                    )
                )
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise EvalDirError(f"{index} could not be read: {type(e).__name__}: {e}") from e
    return docs


def stratified_limit(docs: list[EvalDoc], limit: int) -> list[EvalDoc]:
    """At most `limit` documents, taken round-robin over datasets in index order (0 = all)."""
    if limit <= 0 or limit >= len(docs):
        return docs
    queues: dict[str, list[EvalDoc]] = defaultdict(list)
    for d in docs:
        queues[d.dataset].append(d)
    out: list[EvalDoc] = []
    i = 0
    while len(out) < limit:
        for q in queues.values():
            if i < len(q) and len(out) < limit:
                out.append(q[i])
        i += 1
    return out


# ---------------------------------------------------------------- workers

_PARSE: Callable[[Path], ParsedCV] | None = None


def resolve_parser(name: str) -> Callable[[Path], ParsedCV]:
    """The parse function behind a --parser name."""
    if name == "baseline":
        from evaluation.baseline import parse_baseline

        return parse_baseline
    if name == "cvassist":
        from parsing.pipeline import parse_path

        return parse_path
    raise ValueError(f"unknown parser {name!r}")


def _init_worker(parser: str) -> None:
    """Load the parser and warm it up once so model loading is not counted per document."""
    global _PARSE
    _PARSE = resolve_parser(parser)
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warmup.txt"
        warm.write_text(WARMUP_TEXT, encoding="utf-8")
        try:
            _PARSE(warm)
        except Exception:  # warm-up is best effort; the real documents report errors
            pass


class _DocTimeout(BaseException):
    """Raised by SIGALRM in a worker; a BaseException so parser code cannot swallow it."""


def _on_alarm(signum: int, frame: object) -> None:
    """SIGALRM handler: abort the document being parsed."""
    raise _DocTimeout


def _work(path: str) -> tuple[str, float, int]:
    """Parse one file: (ParsedCV JSON, milliseconds, this worker's peak RSS in KB)."""
    assert _PARSE is not None
    t0 = time.perf_counter()
    signal.signal(signal.SIGALRM, _on_alarm)  # the task runs in the worker's main thread
    signal.alarm(DOC_TIMEOUT_S)
    try:
        parsed = _PARSE(Path(path))
        out = parsed.to_json()
    except _DocTimeout:
        out = json.dumps({"status": "timeout", "message": f"over {DOC_TIMEOUT_S} s"})
    except Exception as e:  # the harness records a crash as a failed document, never stops
        out = json.dumps({"status": "failed", "message": f"{type(e).__name__}: {e}"[:300]})
    finally:
        signal.alarm(0)
    ms = (time.perf_counter() - t0) * 1000.0
    return out, ms, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _result(doc: EvalDoc, raw: str, ms: float, rss_kb: int) -> DocResult:
    """Score one worker answer against the document's ground truth."""
    data = json.loads(raw)
    status = str(data.get("status", "failed"))
    message = data.get("message")
    try:
        parsed = ParsedCV.model_validate(data)
    except ValueError:
        if status in (s.value for s in Status if s.usable):
            status, message = "invalid", "the parser returned JSON that breaks the contract"
        parsed = None
    if parsed is not None:
        score = scoring.score_parsed(parsed, doc.gt, doc.annotated)
    else:
        score = scoring.score_document({}, doc.gt, doc.annotated)
    pages = parsed.pages if parsed is not None else None
    return DocResult(doc, status, ms, rss_kb, score, message, pages)


def _ready() -> int:
    """No-op task used to start and warm every worker before the clock starts."""
    time.sleep(READY_SLEEP_S)
    return os.getpid()


@dataclass(slots=True)
class Run:
    """Results in input order, wall seconds after warm-up, and the warm-up seconds."""

    results: list[DocResult]
    wall_s: float
    startup_s: float


def run_parser(docs: list[EvalDoc], parser: str, workers: int = 2, progress: bool = True) -> Run:
    """Parse and score every document in `workers` processes (warm-up not timed).

    Workers are recycled by running the documents in batches of MAX_TASKS_PER_CHILD per worker,
    each in a fresh pool (pdfplumber leaks memory across documents). `max_tasks_per_child` is
    not used: on Python 3.11 the pool can hang once every worker has retired.
    """
    results: dict[int, DocResult] = {}
    attempts: dict[int, int] = defaultdict(int)
    queue = list(range(len(docs)))
    workers = max(1, workers)
    t_start = time.perf_counter()
    wall = startup = 0.0
    while queue:
        size = MAX_TASKS_PER_CHILD * workers
        batch, queue = queue[:size], queue[size:]
        t_pool = time.perf_counter()
        with ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(parser,)
        ) as pool:
            # One sleeping task per worker forces them all to start and load the model first.
            try:
                for f in [pool.submit(_ready) for _ in range(workers)]:
                    f.result()
            except BrokenProcessPool:
                pass  # the documents below will report it
            t_ready = time.perf_counter()
            startup += t_ready - t_pool
            futures: dict[Future[tuple[str, float, int]], int] = {
                pool.submit(_work, str(docs[i].path)): i for i in batch
            }
            for fut, i in futures.items():
                try:
                    raw, ms, rss = fut.result()
                except BrokenProcessPool:
                    attempts[i] += 1
                    if attempts[i] < MAX_ATTEMPTS:
                        queue.append(i)
                        continue
                    raw, ms, rss = json.dumps({"status": "crashed", "message": "worker died"}), 0, 0
                results[i] = _result(docs[i], raw, ms, rss)
                if progress and len(results) % PROGRESS_EVERY == 0:
                    took = time.perf_counter() - t_start
                    print(f"[eval] {len(results)}/{len(docs)} docs, {took:.0f} s", file=sys.stderr)
            wall += time.perf_counter() - t_ready
    return Run([results[i] for i in range(len(docs))], wall, startup)


# ---------------------------------------------------------------- summary


def _group(results: list[DocResult]) -> dict[str, Any]:
    """n docs, macro F1 and per-field metrics of a slice of results."""
    counts = scoring.merge_counts(r.score.counts for r in results)
    return {
        "n_docs": len(results),
        "macro_f1": scoring.macro_f1(counts),
        "fields": {name: scoring.field_metrics(c) for name, c in counts.items()},
    }


def _by(results: list[DocResult], key: Callable[[DocResult], str]) -> dict[str, Any]:
    """Group results by a key (sorted) and summarise each group."""
    groups: dict[str, list[DocResult]] = defaultdict(list)
    for r in results:
        groups[key(r)].append(r)
    return {k: _group(v) for k, v in sorted(groups.items())}


def _calibration(results: list[DocResult]) -> dict[str, Any]:
    """Calibration overall and per field over every predicted value's (confidence, correct)."""
    records = [rec for r in results for rec in r.score.records]
    by_field: dict[str, list[scoring.ValueRecord]] = defaultdict(list)
    for rec in records:
        by_field[rec.field].append(rec)

    def summary(recs: list[scoring.ValueRecord]) -> dict[str, Any]:
        return calibration_summary([x.confidence for x in recs], [x.correct for x in recs])

    return {
        "overall": summary(records),
        "by_field": {f: summary(by_field[f]) for f in scoring.FIELDS if f in by_field},
    }


def speed_summary(run: Run, workers: int) -> dict[str, Any]:
    """Throughput (after warm-up), median/p95 ms per document and peak worker RSS."""
    results, wall_s = run.results, run.wall_s
    ms = np.array([r.ms for r in results if r.ms > 0], dtype=float)
    peak_kb = max((r.rss_kb for r in results), default=0)
    per_format: dict[str, list[float]] = defaultdict(list)
    for r in results:
        if r.ms > 0:
            per_format[r.doc.fmt].append(r.ms)
    return {
        "workers": workers,
        "n_docs": len(results),
        "wall_s": wall_s,
        "startup_s": run.startup_s,
        "docs_per_s": len(results) / wall_s if wall_s > 0 else None,
        "median_ms": float(np.median(ms)) if len(ms) else None,
        "p95_ms": float(np.percentile(ms, 95)) if len(ms) else None,
        "mean_ms": float(ms.mean()) if len(ms) else None,
        "peak_rss_mb": peak_kb / 1024.0,
        "median_ms_by_format": {k: float(np.median(v)) for k, v in sorted(per_format.items())},
    }


def _doc_row(r: DocResult) -> dict[str, Any]:
    """One document's line in --json: where it belongs, its status, time and macro F1."""
    return {
        "id": r.doc.doc_id, "dataset": r.doc.dataset, "file": r.doc.path.name,
        "format": r.doc.fmt, "layout": r.doc.layout, "status": r.status,
        "message": r.message, "ms": round(r.ms, 1),
        "macro_f1": scoring.macro_f1(r.score.counts),
    }  # fmt: skip


def summarize(run: Run, workers: int, meta: dict[str, Any]) -> dict[str, Any]:
    """Everything the report and --json need: slices, calibration, speed, per-document rows."""
    results = run.results
    statuses: dict[str, int] = defaultdict(int)
    for r in results:
        statuses[r.status] += 1
    return {
        "meta": meta,
        "overall": _group(results),
        "by_dataset": _by(results, lambda r: r.doc.dataset),
        "by_format": _by(results, lambda r: r.doc.fmt),
        "by_layout": _by(results, lambda r: r.doc.layout),
        "by_dataset_format": _by(results, lambda r: f"{r.doc.dataset}/{r.doc.fmt}"),
        "by_dataset_layout": _by(results, lambda r: f"{r.doc.dataset}/{r.doc.layout}"),
        "calibration": _calibration(results),
        "speed": speed_summary(run, workers),
        "status_counts": dict(sorted(statuses.items())),
        "documents": [_doc_row(r) for r in results],
    }


def evaluate(
    root: Path,
    *,
    parser: str = "cvassist",
    formats: Iterable[str] | None = None,
    datasets: Iterable[str] | None = None,
    workers: int = 2,
    limit: int = 0,
    progress: bool = True,
) -> dict[str, Any]:
    """Load, parse, score and summarise one labelled directory."""
    docs = stratified_limit(load_documents(root, formats, datasets), limit)
    run = run_parser(docs, parser, workers, progress)
    meta = {
        "dir": str(root), "parser": parser, "formats": sorted(set(formats or [])),
        "datasets": sorted(set(datasets or [])), "limit": limit, "n_docs": len(docs),
        "n_entries": len({(d.dataset, d.doc_id) for d in docs}),
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }  # fmt: skip
    return summarize(run, workers, meta)


def main(ns: argparse.Namespace) -> int:
    """CLI entry: print the report, optionally write --json and --plot; 2 on a bad directory."""
    from evaluation.report import render_report

    formats = [f for f in str(getattr(ns, "formats", "") or "").split(",") if f.strip()]
    datasets = [d for d in str(getattr(ns, "datasets", "") or "").split(",") if d.strip()]
    parser = getattr(ns, "parser", "cvassist") or "cvassist"
    try:
        resolve_parser(parser)
    except ImportError as e:
        print(f"cvassist eval: the {parser} parser cannot be imported ({e})", file=sys.stderr)
        return 1
    try:
        summary = evaluate(
            Path(ns.dir),
            parser=parser,
            formats=formats,
            datasets=datasets,
            workers=int(getattr(ns, "workers", 2) or 1),
            limit=int(getattr(ns, "limit", 0) or 0),
        )
    except EvalDirError as e:
        print(f"cvassist eval: {e}", file=sys.stderr)
        return 2
    if not summary["meta"]["n_docs"]:
        print("cvassist eval: no documents match the given formats/datasets", file=sys.stderr)
        return 2
    print(render_report(summary))
    if getattr(ns, "json_out", None):
        out = Path(ns.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, indent=1, ensure_ascii=False), encoding="utf-8")
    if getattr(ns, "plot_out", None):
        from evaluation.plots import plot_summary

        plot_summary(summary, Path(ns.plot_out))
    return 0
