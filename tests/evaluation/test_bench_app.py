"""`make bench-app` end to end on a small SQLite database (no timing is asserted), and the shape
check that keeps its bulk seeding honest."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from evaluation import bench_app
from evaluation.bench_app_seed import (
    FORMATS,
    Template,
    check_shape,
    load_templates,
    plan,
    template_rows,
    unique_bytes,
)
from learning.runtime import parse_with_champion

N = 200
REPEATS = len(FORMATS)  # one timed preview of each format
MEASURES = {
    "queue: review_queue, no filter",
    "queue: review_queue, open statuses",
    "queue: review_queue, has red",
    "queue: review_queue, uploader",
    "queue: review_queue, batch",
    "queue: review_queue, last 7 days",
    "queue: queue_view (page data, 200 rows, metrics, filter choices)",
    "correct: open_candidate",
    "correct: document_preview",
    "correct: document_preview, pdf",
    "correct: document_preview, docx",
    "correct: document_preview, txt",
    "correct: open_candidate + document_preview",
    "save: save_corrections (2 edits, the rest accepted)",
    "queue: page (AppTest)",
    "queue: page, red-fields filter (AppTest)",
    "correct: page (AppTest)",
}


@pytest.fixture(scope="module")
def templates() -> list[Template]:
    return load_templates(len(FORMATS))  # one pdf, one docx, one txt


def test_bench_runs_end_to_end_and_reports_every_path(tmp_path: Path, capsys) -> None:
    out_file = tmp_path / "bench_app.json"
    argv = ["--n", str(N), "--repeats", str(REPEATS), "--page-repeats", "1"]
    argv += ["--warmup", "1", "--templates", "3", "--backends", "sqlite", "--out", str(out_file)]
    bench_app.main(argv)  # exit code 1 = a target missed: timing is not this test's business
    out = json.loads(out_file.read_text())
    assert {"date", "platform", "cpu_count", "git_commit", "load_avg_1min"} <= set(out["machine"])
    assert out["shape_check"]["backends"] == ["sqlite"]
    assert out["shape_check"]["documents"] == 9  # every (format, review state) pair
    sqlite = out["backends"]["sqlite"]
    assert sqlite["seed"]["documents"] == N and sqlite["seed"]["field_values"] > 10 * N
    assert sqlite["seed"]["corrections"] > 0  # some CVs are in review or reviewed
    assert set(sqlite["measures"]) == MEASURES
    for name, s in sqlite["measures"].items():
        assert s["n"] >= 1 and 0 < s["median_ms"] <= s["p95_ms"], name
        assert s["target_ms"] == bench_app.TARGET_MS[name.split(":")[0]]
        assert isinstance(s["pass"], bool)
    assert set(sqlite["profile"]) == {"queue", "correct", "save"}
    assert all(p["plans"] and p["plans"][0]["plan"] for p in sqlite["profile"].values())
    assert out["peak_rss_mb"] > 0
    report = capsys.readouterr().out
    assert "| correct: page (AppTest) | 1000 |" in report
    assert "sqlite p95" in report


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_counter_changes_the_hash_but_not_the_parse(
    templates: list[Template], fmt: str
) -> None:
    t = next(t for t in templates if t.fmt == fmt)
    a, b = unique_bytes(t.data, fmt, 1), unique_bytes(t.data, fmt, 2)
    assert len({t.data, a, b}) == 3
    fields = parse_with_champion(b, t.name).fields
    assert fields == t.parsed.fields


def test_the_shape_check_catches_a_cloned_row_that_ingest_would_not_write(
    templates: list[Template], tmp_path: Path
) -> None:
    rowsets = template_rows(templates, tmp_path)
    planned = plan(30, len(templates), now=datetime.now(UTC))
    key = (0, "new")
    wrong = [{**f, "confidence": 0.5} for f in rowsets[key].fields]
    rowsets[key] = replace(rowsets[key], fields=wrong)
    with pytest.raises(AssertionError, match="fieldvalue"):
        check_shape(planned, templates, rowsets, tmp_path, [f"sqlite:///{tmp_path / 'c.sqlite'}"])
