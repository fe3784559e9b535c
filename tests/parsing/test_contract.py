"""The ParsedCV contract: real parser output validates against both schemas and round-trips."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from support import GENERATED, generated_index

from parsing.jsonresume import to_jsonresume
from parsing.model import Field, Fields, ParsedCV, Source, Status
from parsing.pipeline import parse_bytes, parse_path

FILES = [GENERATED / f for e in generated_index() for f in e["files"]]
SAMPLE_TXT = """Jane van der Berg
Senior Data Engineer
jane.vdberg@example.com | +31 20 123 4567 | Amsterdam, Netherlands
linkedin.com/in/janevdberg

EXPERIENCE
Senior Data Engineer at Acme B.V.    Jan 2020 – Present
- Built pipelines in Python and Spark
Data Engineer, Globex GmbH    03/2016 – 12/2019

EDUCATION
MSc Computer Science, Delft University of Technology, 2015

SKILLS
Python, SQL, Apache Spark, k8s, Postgres

LANGUAGES
Dutch (native), English (C2), German (B1)
"""


def _validate(doc: dict, schema: dict) -> None:
    jsonschema.Draft202012Validator(schema).validate(doc)


def test_txt_output_validates_and_round_trips(parsed_cv_schema: dict) -> None:
    parsed = parse_bytes(SAMPLE_TXT.encode(), "jane.txt")
    assert parsed.status is Status.OK
    doc = json.loads(parsed.to_json())
    _validate(doc, parsed_cv_schema)
    again = ParsedCV.from_json(parsed.to_json())
    assert again == parsed


def test_every_value_carries_source_and_extractor() -> None:
    parsed = parse_bytes(SAMPLE_TXT.encode(), "jane.txt")
    paths = parsed.fields.iter_fields()
    assert len(paths) > 10
    for path, f in paths:
        assert f.extractor, path
        src = f.source
        assert src is not None and src.start is not None and src.end is not None, path
        assert src.text is not None and src.end - src.start == len(src.text), path
        assert 0.0 <= f.confidence <= 1.0
        if isinstance(f.value, str) and path != "summary" and "description" not in path:
            # the span points at the evidence itself, not just somewhere in the document
            assert " ".join(f.value.split()) in " ".join(src.text.split()), (
                path,
                f.value,
                src.text,
            )


def test_failure_statuses_validate(parsed_cv_schema: dict) -> None:
    for data, name in [
        (b"", "empty.pdf"),
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "x.png"),
        (b"%PDF-1.4 garbage", "broken.pdf"),
    ]:
        parsed = parse_bytes(data, name)
        assert not parsed.status.usable
        assert parsed.message and "Traceback" not in parsed.message
        _validate(parsed.to_dict(), parsed_cv_schema)


def test_model_round_trip_keeps_nested_fields() -> None:
    f = Field(
        value="x",
        normalized={"a": 1},
        confidence=0.5,
        source=Source(page=1, bbox=(1, 2, 3, 4), start=0, end=1, text="x"),
        extractor="t",
    )
    cv = ParsedCV(file="a", sha256="0" * 64, status=Status.OK, fields=Fields(name=f, skills=[]))
    again = ParsedCV.from_json(cv.to_json())
    assert again.fields.name == f
    assert again.fields.skills == []
    assert "message" not in cv.to_dict()


@pytest.mark.skipif(not FILES, reason="generated fixtures not present")
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_generated_fixture_output_validates_both_schemas(
    path: Path, parsed_cv_schema: dict, jsonresume_schema: dict
) -> None:
    parsed = parse_path(path)
    assert parsed.status.usable, parsed.message
    _validate(parsed.to_dict(), parsed_cv_schema)
    _validate(to_jsonresume(parsed), jsonresume_schema)
