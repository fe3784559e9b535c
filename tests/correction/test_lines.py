"""Picking from the document: its lines with page, box and span, for every format."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from support import GENERATED

from correction.intake import ingest
from correction.lines import document_lines, pick_source
from data.models import Candidate
from data.queries import current_record
from data.store import FileStore
from parsing.model import Source
from parsing.readers import read_layout

pytestmark = pytest.mark.usefixtures("staff")  # accounts ann and bob
DOC = GENERATED / "docs" / "gen_2024_00000__classic"


@pytest.mark.parametrize("ext", ["pdf", "docx", "txt"])
def test_lines_index_the_readers_text(
    session: Session, store: FileStore, fake_parser, ext: str
) -> None:
    data = (DOC.parent / f"{DOC.name}.{ext}").read_bytes()
    r = ingest(
        session=session,
        name=f"cv.{ext}",
        data=data,
        user="ann",
        batch_id=None,
        store=store,
        parser=fake_parser({"name": 0.5}),
    )
    cand = session.get(Candidate, r.candidate_id)
    assert cand is not None
    lines = document_lines(session=session, user="ann", document_id=cand.document_id, store=store)
    text = read_layout(data).text
    assert len(lines) > 5
    assert all(ln.start is not None and text[ln.start : ln.end] == ln.text for ln in lines)
    assert all(ln.page and ln.page >= 1 for ln in lines)
    assert all(ln.bbox is not None for ln in lines) == (ext == "pdf")  # geometry only in PDFs


def test_unreadable_file_offers_the_parsed_values_sources(
    session: Session, store: FileStore, fake_parser, tmp_path
) -> None:
    r = ingest(
        session=session,
        name="cv.txt",
        data=b"some cv",
        user="ann",
        batch_id=None,
        store=store,
        parser=fake_parser({"name": 0.5}),
    )
    assert r.candidate_id is not None
    cand = session.get(Candidate, r.candidate_id)
    assert cand is not None
    empty = FileStore(tmp_path / "elsewhere")  # the file is missing from this store
    record = current_record(session=session, candidate_id=r.candidate_id)
    lines = document_lines(session=session, user="ann", document_id=cand.document_id, store=empty)
    assert lines == []
    name = record.fields.name
    assert name is not None and name.source is not None
    name.source.text = "Ada Lovelace"
    lines = document_lines(
        session=session, user="ann", document_id=cand.document_id, record=record, store=empty
    )
    assert [(ln.page, ln.start, ln.end, ln.text) for ln in lines] == [(1, 0, 5, "Ada Lovelace")]


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        ("Ada", (13, 16, "Ada")),  # a substring: the span narrows to it
        ("  Ada Lovelace  ", (13, 25, "Ada Lovelace")),  # whitespace trimmed
        ("Grace", (10, 25, "Grace")),  # typed, not in the line: the line's span, the typed text
    ],
)
def test_pick_source(picked: str, expected: tuple[int, int, str]) -> None:
    line = Source(page=2, bbox=(1.0, 2.0, 3.0, 4.0), start=10, end=25, text="Dr Ada Lovelace")
    src = pick_source(line, picked)
    assert (src.start, src.end, src.text) == expected
    assert (src.page, src.bbox) == (2, (1.0, 2.0, 3.0, 4.0))
