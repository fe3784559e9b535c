"""The eval harness: index loading, layouts, limits, an end-to-end run and the CLI contract."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import pytest

from evaluation import harness
from evaluation.baseline import parse_baseline
from evaluation.report import render_report

SHARED_EVAL = Path(__file__).resolve().parents[2].parent / "shared" / "eval"

CV_TEXT = """Jane Example
jane.example@example.com | +44 20 7946 0958 | London, United Kingdom

Experience
Data Engineer, Microsoft
Jan 2019 - Present

Education
University of Leeds, BSc Computer Science, 2015
"""
GT = {
    "name": "Jane Example",
    "email": "jane.example@example.com",
    "phone": "+44 20 7946 0958",
    "location": "London, United Kingdom",
    "links": [],
    "skills": ["Python"],
    "experience": [
        {"title": "Data Engineer", "company": "Microsoft", "start": "2019-01", "end": "present"}
    ],
    "education": [{"degree": "BSc Computer Science", "institution": "University of Leeds"}],
    "languages": [],
    "certifications": [],
}


def _write_index(root: Path) -> None:
    (root / "docs").mkdir()
    (root / "gt").mkdir()
    (root / "docs" / "p1.txt").write_text(CV_TEXT, encoding="utf-8")
    (root / "docs" / "p1__sidebar.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (root / "docs" / "p2.txt").write_text(CV_TEXT.replace("Jane", "Anna"), encoding="utf-8")
    (root / "gt" / "p1.json").write_text(json.dumps(GT), encoding="utf-8")
    entries = [
        {
            "dataset": "synthetic", "id": "p1", "gt": "gt/p1.json",
            "files": ["docs/p1.txt", "docs/p1__sidebar.pdf"],
            "annotated_fields": ["name", "email", "phone", "experience.company"],
            "original_format": "json",
        },
        {
            "dataset": "other", "id": "p2", "layout": "two-column",
            "gt": {**GT, "name": "Anna Example", "email": "anna.example@example.com"},
            "files": ["docs/p2.txt"], "annotated_fields": ["name", "email"],
            "original_format": "txt",
        },
    ]  # fmt: skip
    lines = [json.dumps(e) for e in entries]
    (root / "index.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ns(**kw) -> argparse.Namespace:
    base = {
        "dir": "", "formats": "pdf,docx,txt", "datasets": "", "json_out": None,
        "plot_out": None, "workers": 1, "limit": 0, "parser": "baseline",
    }  # fmt: skip
    return argparse.Namespace(**{**base, **kw})


def test_load_documents_expands_files_filters_formats_and_derives_layouts(tmp_path):
    _write_index(tmp_path)
    docs = harness.load_documents(tmp_path)
    assert [(d.doc_id, d.fmt, d.layout) for d in docs] == [
        ("p1", "txt", "plain-text"),
        ("p1", "pdf", "sidebar"),
        ("p2", "txt", "plain-text"),
    ]
    assert docs[0].gt["name"] == "Jane Example"  # gt read from its file
    assert docs[2].gt["name"] == "Anna Example"  # inline gt
    assert [d.fmt for d in harness.load_documents(tmp_path, formats=["pdf"])] == ["pdf"]
    assert [d.doc_id for d in harness.load_documents(tmp_path, datasets=["other"])] == ["p2"]


def test_layout_falls_back_to_entry_then_format():
    entry = {"layout": "table", "original_format": "pdf"}
    assert harness.derive_layout(entry, Path("a.pdf"), "pdf") == "table"
    assert harness.derive_layout(entry, Path("a__compact.pdf"), "pdf") == "compact"
    assert harness.derive_layout({"original_format": "txt"}, Path("a.pdf"), "pdf") == "plain-render"
    assert harness.derive_layout({}, Path("a.docx"), "docx") == "docx"


def test_stratified_limit_takes_every_dataset():
    docs = [
        harness.EvalDoc(str(i), ds, Path(f"{i}.txt"), "txt", "plain-text", {}, ())
        for ds in ("a", "b", "c")
        for i in range(5)
    ]
    picked = harness.stratified_limit(docs, 6)
    assert sorted(d.dataset for d in picked) == ["a", "a", "b", "b", "c", "c"]
    assert harness.stratified_limit(docs, 0) == docs


def test_invalid_directory_exits_2(tmp_path, capsys):
    assert harness.main(_ns(dir=str(tmp_path / "missing"))) == 2
    assert "index.jsonl" in capsys.readouterr().err


def test_end_to_end_baseline_run_writes_report_json_and_plot(tmp_path, capsys, monkeypatch):
    _write_index(tmp_path)
    out_json, out_png = tmp_path / "out" / "eval.json", tmp_path / "out" / "eval.png"
    monkeypatch.setattr(harness, "MAX_TASKS_PER_CHILD", 2)  # two pools: batching keeps every doc
    code = harness.main(_ns(dir=str(tmp_path), json_out=str(out_json), plot_out=str(out_png)))
    assert code == 0
    stdout = capsys.readouterr().out
    assert "## F1 by dataset / format" in stdout and "synthetic/txt" in stdout
    summary = json.loads(out_json.read_text(encoding="utf-8"))
    assert summary["meta"]["n_docs"] == 3
    # the fake PDF fails to parse and then counts as all false negatives, never a crash
    statuses = {d["file"]: d["status"] for d in summary["documents"]}
    assert statuses["p1__sidebar.pdf"] != "ok" and statuses["p1.txt"] == "ok"
    pdf = summary["by_dataset_format"]["synthetic/pdf"]["fields"]
    assert pdf["email"]["recall"] == 0.0
    txt = summary["by_dataset_format"]["synthetic/txt"]["fields"]
    assert txt["email"]["f1"] == 1.0 and txt["phone"]["f1"] == 1.0
    assert set(summary["by_layout"]) == {"plain-text", "sidebar"}
    assert summary["speed"]["median_ms"] > 0 and summary["speed"]["peak_rss_mb"] > 10
    assert summary["calibration"]["overall"]["n"] > 0
    assert out_png.stat().st_size > 10_000


def test_report_renders_dashes_for_fields_a_slice_does_not_annotate(tmp_path):
    _write_index(tmp_path)
    docs = harness.load_documents(tmp_path, formats=["txt"])
    results = [harness._result(d, parse_baseline(d.path).to_json(), 10.0, 1024) for d in docs]
    summary = harness.summarize(harness.Run(results, 1.0, 0.0), 1, {
        "dir": "x", "parser": "baseline", "n_docs": 2, "n_entries": 2, "date": "today",
    })  # fmt: skip
    text = render_report(summary)
    row = next(line for line in text.splitlines() if line.startswith("| other/txt"))
    assert "–" in row  # phone is not annotated in the 'other' dataset


@pytest.mark.eval
@pytest.mark.skipif(not (SHARED_EVAL / "index.jsonl").is_file(), reason="needs ../shared/eval")
def test_shared_eval_loads_and_a_few_documents_score():
    docs = harness.load_documents(SHARED_EVAL)
    assert len({(d.dataset, d.doc_id) for d in docs}) >= 700
    assert {d.layout for d in docs} >= {"classic", "compact", "plain-text", "plain-render"}
    sample = harness.stratified_limit(harness.load_documents(SHARED_EVAL, formats=["txt"]), 3)
    results = harness.run_parser(sample, "baseline", workers=1, progress=False).results
    assert all(r.status == "ok" for r in results)
    assert sum(c.tp for r in results for c in r.score.counts.values()) > 0


def test_a_hanging_document_becomes_a_timeout_and_a_crash_a_failure(monkeypatch):
    def hang(path: Path):
        time.sleep(5)

    def crash(path: Path):
        raise RuntimeError("boom")

    monkeypatch.setattr(harness, "DOC_TIMEOUT_S", 1)
    monkeypatch.setattr(harness, "_PARSE", hang)
    raw, ms, _ = harness._work("x.pdf")
    assert json.loads(raw)["status"] == "timeout" and ms < 3000
    monkeypatch.setattr(harness, "_PARSE", crash)
    raw, _, _ = harness._work("x.pdf")
    assert json.loads(raw)["status"] == "failed"
    doc = harness.EvalDoc("1", "d", Path("x.pdf"), "pdf", "pdf", {"name": "Jane"}, ("name",))
    result = harness._result(doc, raw, 1.0, 1)
    assert result.status == "failed" and result.score.counts["name"].fn == 1
