"""Every file of ../shared/hostile comes back typed, in bounded time, without hurting the caller.

Runs the whole corpus through `parse_isolated` (the CLI's and the upload path's parser) and a few
representative files through `correction.intake.ingest`. Skips cleanly without ../shared.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import psutil
import pytest
from sqlmodel import Session, select
from support import SHARED

import cli
from correction.intake import ingest
from data.models import Document, ParseResult
from data.store import FileStore
from parsing.model import Status
from parsing.sandbox import Limits, parse_isolated

HOSTILE = SHARED / "hostile"
FILES = (
    sorted(p for p in HOSTILE.rglob("*") if p.is_file() and p.suffix not in (".md", ".json"))
    if HOSTILE.is_dir()
    else []
)
LIMITS = Limits.from_settings()
MARGIN_S = 5.0  # pre-checks, fork and result transfer on a loaded two-core machine
LIBRARY_WORDS = re.compile(r"Traceback|Error\b|Exception|pdfminer|pypdfium|pdfium|zipfile|lxml")
EXPECTED = {
    "generated/crash_assert.pdf": {Status.MALFORMED},
    "generated/docx_billion_laughs.docx": {Status.MALFORMED},
    "generated/docx_bomb_300mb.docx": {Status.TOO_LARGE},
    "generated/double_flate_1gb.pdf": {Status.TOO_LARGE},
    "generated/flate_256mb.pdf": {Status.TOO_LARGE},
    "generated/image_only.pdf": {Status.EMPTY_TEXT},
    "generated/not_a_pdf.pdf": {Status.MALFORMED, Status.UNSUPPORTED},
    "generated/pages_20k.pdf": {Status.TOO_MANY_PAGES},
    "generated/truncated.pdf": {Status.MALFORMED},
    "generated/s_aes-128.pdf": {Status.ENCRYPTED},
    "generated/s_aes-256-r6.pdf": {Status.ENCRYPTED},
    "generated/s_rc4-40.pdf": {Status.ENCRYPTED},
}
HEAVY = ["double_flate_1gb.pdf", "flate_256mb.pdf", "docx_bomb_300mb.docx", "pages_20k.pdf"]
UPLOADS = [*HEAVY, "s_aes-128.pdf", "docx_billion_laughs.docx", "truncated.pdf"]
needs_corpus = pytest.mark.skipif(not FILES, reason="../shared/hostile is not beside the project")


def _rel(path: Path) -> str:
    return path.relative_to(HOSTILE).as_posix()


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=[_rel(p) for p in FILES])
def test_hostile_file_gets_a_typed_status_within_the_limit(path: Path) -> None:
    data = path.read_bytes()
    started = time.monotonic()
    parsed = parse_isolated(data, path.name, limits=LIMITS)
    elapsed = time.monotonic() - started
    assert elapsed < LIMITS.wall_s + MARGIN_S
    assert isinstance(parsed.status, Status)
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()
    assert parsed.status in EXPECTED.get(_rel(path), set(Status))
    if not parsed.status.usable:
        assert parsed.message and not LIBRARY_WORDS.search(parsed.message)
        assert not parsed.fields.iter_fields()


@needs_corpus
def test_parent_memory_stays_flat_on_the_bombs() -> None:
    me = psutil.Process()
    by_name = {p.name: p for p in FILES}
    parse_isolated(b"warm up\n", "warm.txt")
    before = me.memory_info().rss
    for _ in range(3):
        for name in HEAVY:
            parse_isolated(by_name[name].read_bytes(), name)
    assert me.memory_info().rss - before < 30 * 1024 * 1024


@needs_corpus
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.usefixtures("staff")
def test_upload_path_keeps_and_reports_hostile_files(session: Session, store: FileStore) -> None:
    by_name = {p.name: p for p in FILES}
    for name in UPLOADS:
        data = by_name[name].read_bytes()
        r = ingest(session=session, name=name, data=data, user="ann", batch_id=None, store=store)
        assert r.status == "failed" and r.stored and r.candidate_id is None, name
        assert r.parse_status in {s.value for s in EXPECTED["generated/" + name]}, name
        assert r.message and not LIBRARY_WORDS.search(r.message)
        assert store.get(r.sha256) == data  # nothing is lost
    assert len(session.exec(select(Document)).all()) == len(UPLOADS)
    assert len(session.exec(select(ParseResult)).all()) == len(UPLOADS)


@needs_corpus
def test_cvassist_parse_reports_every_hostile_file(capsys: pytest.CaptureFixture[str]) -> None:
    by_name = {p.name: p for p in FILES}
    names = [*HEAVY, "crash_assert.pdf", "s_rc4-40.pdf"]
    with pytest.raises(SystemExit) as done:
        cli.main(["parse", *(str(by_name[n]) for n in names)])
    assert done.value.code == 1  # nothing usable, said by the exit code
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["file"] for d in lines] == names
    for doc in lines:
        assert doc["status"] in {s.value for s in EXPECTED["generated/" + doc["file"]]}
        assert doc["message"]
