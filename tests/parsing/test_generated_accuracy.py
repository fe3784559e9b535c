"""Accuracy floors on the committed generated fixtures, scored with the evaluation harness.

The floors sit a little under what the parser scores today (macro F1 per document, by layout and
format), so they pass now and fail on a real regression. Raise them as the parser improves.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from support import GENERATED

from evaluation import scoring
from evaluation.harness import EvalDoc, load_documents
from parsing.model import ParsedCV
from parsing.pipeline import parse_path

# layout -> minimum macro F1 per format (today's score minus ~0.03, rounded down to 0.05)
FLOORS: dict[str, dict[str, float]] = {
    "classic": {"pdf": 0.80, "docx": 0.80, "txt": 0.80},
    "modern": {"pdf": 0.95, "docx": 0.95, "txt": 0.95},
    "two_column": {"pdf": 0.85, "docx": 0.80, "txt": 0.80},
    "sidebar_left": {"pdf": 0.80, "docx": 0.85, "txt": 0.85},
    "sidebar_right": {"pdf": 0.90, "docx": 0.95, "txt": 0.95},
    "table_grid": {"pdf": 0.85, "docx": 0.95, "txt": 0.70},
    "europass": {"pdf": 0.95, "docx": 0.95, "txt": 0.95},
    "timeline": {"pdf": 0.85, "docx": 0.80, "txt": 0.70},
    "header_bar": {"pdf": 0.90, "docx": 0.95, "txt": 0.95},
    "compact": {"pdf": 0.85, "docx": 0.85, "txt": 0.85},
    "academic": {"pdf": 0.95, "docx": 0.95, "txt": 0.95},
}
# Pooled F1 per field over all fixtures (today's value minus ~0.04, rounded down to 0.05).
FIELD_FLOORS = {
    "name": 0.95, "email": 1.0, "phone": 1.0, "location": 0.80, "links": 0.90,
    "skills": 0.95, "languages": 0.95, "certifications": 0.95,
    "experience.title": 0.90, "experience.company": 0.75, "experience.start": 0.90,
    "experience.end": 0.90, "education.degree": 0.80, "education.institution": 0.80,
    "education.end": 0.85,
}  # fmt: skip
# Fields that must be right in every fixture (a recruiter contacts the candidate with them).
CONTACT_FIELDS = ("email", "phone")
# Known name misses: file name -> the bug (strict xfail, so a fix must remove the entry).
NAME_MISSES: dict[str, str] = {}
DOCS: list[EvalDoc] = load_documents(GENERATED) if (GENERATED / "index.jsonl").exists() else []


@cache
def _parse(path: str) -> ParsedCV:
    return parse_path(Path(path))


def _score(doc: EvalDoc) -> scoring.DocScore:
    return scoring.score_parsed(_parse(str(doc.path)), doc.gt, doc.annotated)


def _table(score: scoring.DocScore) -> str:
    """Per-field TP/FP/FN and F1, one line each, for the assertion message."""
    rows = []
    for name, counts in score.counts.items():
        m = scoring.field_metrics(counts)
        f1 = "  -  " if m["f1"] is None else f"{m['f1']:.2f}"
        rows.append(f"  {name:<24} f1={f1} tp={m['tp']} fp={m['fp']} fn={m['fn']}")
    return "\n".join(rows)


def _right(score: scoring.DocScore, field: str) -> bool:
    """Found when the CV has it, nothing invented when it does not."""
    c = score.counts[field]
    return c.fp == 0 and c.fn == 0


def _ids(doc: EvalDoc) -> str:
    return doc.path.name


def test_fixture_index_has_documents() -> None:
    assert len(DOCS) >= 30


def test_every_layout_and_format_has_a_floor() -> None:
    missing = sorted({(d.layout, d.fmt) for d in DOCS if d.fmt not in FLOORS.get(d.layout, {})})
    assert not missing, f"add a floor to FLOORS for {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=_ids)
def test_macro_f1_floor(doc: EvalDoc) -> None:
    score = _score(doc)
    f1 = scoring.macro_f1(score.counts)
    floor = FLOORS[doc.layout][doc.fmt]
    assert f1 is not None and f1 >= floor, (
        f"{doc.path.name}: macro F1 {f1:.3f} < floor {floor}\n{_table(score)}"
    )


@pytest.mark.parametrize("doc", DOCS, ids=_ids)
def test_contact_details_are_right(doc: EvalDoc) -> None:
    parsed = _parse(str(doc.path))
    assert parsed.status.usable, f"{doc.path.name}: {parsed.status} {parsed.message}"
    score = _score(doc)
    wrong = [f for f in CONTACT_FIELDS if f in doc.annotated and not _right(score, f)]
    assert not wrong, f"{doc.path.name}: wrong {wrong}\n{_table(score)}"


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(
            d,
            marks=pytest.mark.xfail(reason=NAME_MISSES[d.path.name], strict=True)
            if d.path.name in NAME_MISSES
            else (),
        )
        for d in DOCS
    ],
    ids=_ids,
)
def test_name_is_right(doc: EvalDoc) -> None:
    score = _score(doc)
    assert _right(score, "name") and score.counts["name"].tp == 1, (
        f"{doc.path.name}: name wrong\n{_table(score)}"
    )


def test_corpus_field_f1_floors() -> None:
    """Pooled over all fixtures, no field slips (catches regressions spread thinly)."""
    total = scoring.merge_counts(_score(d).counts for d in DOCS)
    f1 = {name: scoring.field_metrics(c)["f1"] for name, c in total.items()}
    low = {k: v for k, v in f1.items() if k in FIELD_FLOORS and (v or 0.0) < FIELD_FLOORS[k]}
    table = "\n".join(
        f"  {k:<24} {v:.3f} (floor {FIELD_FLOORS.get(k, '-')})" for k, v in f1.items() if v
    )
    assert not low, f"fields under their floor: {sorted(low)}\n{table}"
