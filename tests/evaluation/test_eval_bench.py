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
