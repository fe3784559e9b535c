"""The naive baseline parser returns a valid ParsedCV and finds the obvious fields."""

from __future__ import annotations

import hashlib

from evaluation.baseline import CONFIDENCE, parse_baseline
from parsing.model import ParsedCV, Status

TEXT = """Jane Example
jane.example@example.com  +44 20 7946 0958  https://github.com/janeexample
Lives in London.

Work
Microsoft  Mar 2019 - Present
"""


def test_baseline_extracts_contact_fields_with_constant_confidence(tmp_path):
    path = tmp_path / "cv.txt"
    path.write_text(TEXT, encoding="utf-8")
    parsed = parse_baseline(path)
    assert parsed.status is Status.OK
    assert parsed.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    f = parsed.fields
    assert f.email is not None and f.email.value == "jane.example@example.com"
    assert f.phone is not None and f.phone.value == "+44 20 7946 0958"
    assert [x.value for x in f.links or []] == ["https://github.com/janeexample"]
    assert all(x.confidence == CONFIDENCE for _, x in f.iter_fields())
    assert f.email.source is not None and f.email.source.text == f.email.value
    assert ParsedCV.from_json(parsed.to_json()) == parsed


def test_baseline_reports_failures_as_a_status(tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    parsed = parse_baseline(bad)
    assert parsed.status is Status.FAILED and parsed.message
    missing = parse_baseline(tmp_path / "nope.pdf")
    assert missing.status is Status.FAILED


def test_baseline_reports_empty_text(tmp_path):
    blank = tmp_path / "blank.txt"
    blank.write_text("   \n\n", encoding="utf-8")
    assert parse_baseline(blank).status is Status.EMPTY_TEXT
