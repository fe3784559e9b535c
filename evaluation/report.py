"""Markdown rendering of an evaluation summary (stdout of `cvassist eval`, BENCHMARKS.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evaluation.scoring import FIELDS

ABBR = {
    "name": "name", "email": "email", "phone": "phone", "location": "loc", "links": "links",
    "skills": "skills", "languages": "lang", "certifications": "cert",
    "experience.title": "x.title", "experience.company": "x.comp", "experience.start": "x.start",
    "experience.end": "x.end", "education.degree": "e.deg", "education.institution": "e.inst",
    "education.end": "e.end",
}  # fmt: skip
DASH = "–"


def pct(x: float | None, digits: int = 1) -> str:
    """A fraction as a percentage string; a dash when undefined."""
    return DASH if x is None else f"{100 * x:.{digits}f}"


def num(x: float | None, fmt: str = ".0f") -> str:
    """A number with a format; a dash when undefined."""
    return DASH if x is None else format(x, fmt)


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table: first column left-aligned, the others right-aligned."""
    widths = [max(3, *(len(str(c)) for c in col)) for col in zip(header, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        out = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(out) + " |"

    sep = ["-" * w if i == 0 else "-" * (w - 1) + ":" for i, w in enumerate(widths)]
    return "\n".join([line(header), "| " + " | ".join(sep) + " |", *(line(r) for r in rows)])


def f1_table(groups: dict[str, Any], label: str) -> str:
    """Rows = slices, columns = n, macro F1 and the F1 of every field (dash = not annotated)."""
    fields = [f for f in FIELDS if any(f in g["fields"] for g in groups.values())]
    rows = []
    for name, g in groups.items():
        cells = [pct(g["fields"][f]["f1"]) if f in g["fields"] else DASH for f in fields]
        rows.append([name, str(g["n_docs"]), pct(g["macro_f1"]), *cells])
    return table([label, "n", "macro F1", *(ABBR[f] for f in fields)], rows)


def prf_table(summary: dict[str, Any]) -> str:
    """Rows = fields, columns = P/R/F1 overall and per dataset, plus overall support."""
    cols = {"ALL": summary["overall"], **summary["by_dataset"]}
    rows = []
    for f in FIELDS:
        if f not in summary["overall"]["fields"]:
            continue
        cells = []
        for g in cols.values():
            m = g["fields"].get(f)
            cells.append(
                DASH
                if m is None
                else f"{pct(m['precision'], 0)}/{pct(m['recall'], 0)}/{pct(m['f1'], 0)}"
            )
        rows.append([f, str(summary["overall"]["fields"][f]["support"]), *cells])
    return table(["field (P/R/F1 %)", "support", *cols], rows)


def calibration_table(cal: dict[str, Any]) -> str:
    """ECE, accuracy, mean confidence and coverage at the target precision, overall, per field."""
    rows = []
    for name, c in {"ALL": cal["overall"], **cal["by_field"]}.items():
        rows.append(
            [
                name, str(c["n"]), pct(c["accuracy"]), pct(c["mean_confidence"]),
                num(c["ece"], ".3f"), pct(c["coverage"]), num(c["threshold"], ".2f"),
            ]
        )  # fmt: skip
    target = pct(cal["overall"]["target_precision"], 0)
    header = ["values", "n", "accuracy %", "mean conf %", "ECE (10 bins)"]
    return table([*header, f"coverage @{target}% P", "threshold"], rows)


def speed_table(speeds: dict[str, dict[str, Any]]) -> str:
    """One row per run: throughput, latency percentiles and peak RSS."""
    rows = []
    for name, s in speeds.items():
        by_fmt = ", ".join(f"{k} {v:.0f}" for k, v in s["median_ms_by_format"].items())
        rows.append(
            [
                name, str(s["workers"]), str(s["n_docs"]), num(s["wall_s"], ".1f"),
                num(s["docs_per_s"], ".2f"), num(s["median_ms"]), num(s["p95_ms"]),
                num(s["peak_rss_mb"]), by_fmt,
            ]
        )  # fmt: skip
    header = ["run", "workers", "docs", "wall s", "docs/s", "median ms", "p95 ms"]
    return table([*header, "peak RSS MB", "median ms by format"], rows)


def render_report(summary: dict[str, Any]) -> str:
    """The full human-readable report of one evaluation run (Markdown)."""
    meta = summary["meta"]
    statuses = ", ".join(f"{k} {v}" for k, v in summary["status_counts"].items())
    parts = [
        f"# cvassist eval: parser `{meta['parser']}` on {meta['dir']}",
        f"{meta['n_docs']} documents from {meta['n_entries']} labelled entries, {meta['date']}. "
        f"Statuses: {statuses}. Scores in %; {DASH} = field not annotated in that slice.",
        "## F1 by dataset / format",
        f1_table({"ALL": summary["overall"], **summary["by_dataset_format"]}, "dataset/format"),
        "## F1 by layout",
        f1_table(summary["by_layout"], "layout"),
        "## Precision / recall / F1 per field and dataset",
        prf_table(summary),
        "## Calibration (every predicted value: confidence vs correct)",
        calibration_table(summary["calibration"]),
        "## Speed (ms measured inside the worker, model load excluded)",
        speed_table({meta["parser"]: summary["speed"]}),
    ]
    return "\n\n".join(parts) + "\n"
