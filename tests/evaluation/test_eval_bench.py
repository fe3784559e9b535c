"""`make bench` helpers: the fixed document sample and the side-by-side Markdown report."""

from __future__ import annotations

from pathlib import Path

from evaluation import bench, harness
from evaluation.scoring import score_document

GT = {"name": "Jane Smith", "email": "jane@example.com", "skills": ["Python", "SQL"]}


def _doc(i: int) -> harness.EvalDoc:
    return harness.EvalDoc(str(i), "set", Path(f"{i}.pdf"), "pdf", "pdf", GT, tuple(GT))


def _summary(pred: dict, parser: str) -> dict:
    doc = _doc(0)
    score = score_document(pred, GT, doc.annotated)
    run = harness.Run([harness.DocResult(doc, "ok", 100.0, 2048, score)], 1.0, 0.5)
    return harness.summarize(run, 2, {"dir": "t", "parser": parser, "n_docs": 1, "date": "d"})


def test_evenly_spreads_the_sample_over_the_list():
    docs = [_doc(i) for i in range(100)]
    picked = bench.evenly(docs, 10)
    assert [d.doc_id for d in picked] == [str(i) for i in range(0, 100, 10)]
    assert bench.evenly(docs[:3], 10) == docs[:3]


def test_report_shows_both_parsers_and_the_difference():
    ours = _summary({"name": "Jane Smith", "email": "jane@example.com", "skills": ["Python"]}, "o")
    base = _summary({"name": "Jane", "email": "jane@example.com"}, "b")
    speed = {
        bench.OURS: {**ours["speed"], "median_ms": 100.0},
        bench.BASELINE: {**base["speed"], "median_ms": 400.0},
    }
    out = {
        "machine": bench.machine(),
        "notes": [],
        "suites": {"tiny": {bench.OURS: ours, bench.BASELINE: base}},
        "speed": speed,
        "speed_ratio_baseline_over_ours": 4.0,
    }
    text = bench.render(out, workers=2)
    row = next(line for line in text.splitlines() if line.startswith("| name "))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells == ["name", "1", "100.0", "0.0", "+100.0"]
    assert "| skills " in text and "**4.0×**" in text
    assert out["machine"]["cpu_count"] and "git_commit" in out["machine"]


def test_cost_by_page_count_compares_the_same_documents():
    docs = [_doc(i) for i in range(8)]
    pages = [1, 1, 1, 2, 2, 2, 2, 5]  # one 5-page PDF: too few for a row

    def run(ms_per_page: float) -> harness.Run:
        return harness.Run(
            [
                harness.DocResult(d, "ok", ms_per_page * p + i, 0, pages=p)
                for i, (d, p) in enumerate(zip(docs, pages, strict=True))
            ],
            1.0,
            0.0,
        )

    rows = bench.by_pages({"o": run(50.0), "b": run(1000.0)}, "o", "b")
    assert [(r["pages"], r["n_docs"]) for r in rows] == [(1, 3), (2, 4)]
    two = rows[1]
    assert two["ours_ms"] == 104.5 and two["baseline_ms"] == 2004.5
    assert round(two["ratio"], 1) == 19.2 and two["ours_ms_per_page"] == 52.25
    assert "| 2 " in bench.pages_table(rows) and "19.2×" in bench.pages_table(rows)
