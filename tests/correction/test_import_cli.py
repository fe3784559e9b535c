"""`cvassist import` stores files through ingest: one line per file, re-import = duplicates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from support import GENERATED

import cli
from data.db import get_engine
from data.models import AuditEvent, Batch, Candidate, Document

FILES = [
    "gen_2024_00000__classic.txt",
    "gen_2024_00001__modern.docx",
    "gen_2024_00002__two_column.pdf",
]


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    return int(exit_.value.code or 0), capsys.readouterr().out.splitlines()


def test_import_then_reimport(
    app_env: Path, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], staff
) -> None:
    inbox = tmp_path / "inbox"
    (inbox / "nested").mkdir(parents=True)
    for i, name in enumerate(FILES):
        shutil.copy(GENERATED / "docs" / name, inbox / ("nested" if i == 2 else "") / name)
    (inbox / "notes.json").write_text("{}")  # not a CV suffix: skipped like `cvassist parse`

    code, lines = run(["import", str(inbox), "--user", "ann", "--batch", "monday"], capsys)
    assert code == 0
    assert len(lines) == len(FILES) + 1
    for line, name in zip(lines, sorted(FILES), strict=False):
        path, status, tail = line.split("\t")
        assert path.endswith(name) and status == "parsed" and tail.startswith("candidate ")
    assert lines[-1].startswith("3 files: 3 parsed, 0 failed to parse, 0 duplicate")

    code, lines = run(["import", str(inbox), "--user", "bob"], capsys)
    assert code == 0
    assert [line.split("\t")[1] for line in lines[:-1]] == ["duplicate"] * 3
    assert all("duplicate of candidate" in line for line in lines[:-1])
    assert "3 duplicate" in lines[-1]

    with Session(get_engine(db_url)) as s:
        assert s.exec(select(func.count()).select_from(Document)).one() == 3
        assert s.exec(select(func.count()).select_from(Candidate)).one() == 3
        assert {d.uploaded_by for d in s.exec(select(Document))} == {"ann"}
        batches = s.exec(select(Batch).order_by(Batch.id)).all()
        assert [(b.label, b.n_new, b.n_duplicates) for b in batches] == [
            ("monday", 3, 0),
            (None, 0, 3),
        ]
        uploads = s.exec(
            select(AuditEvent).where(AuditEvent.action == "upload").order_by(AuditEvent.id)
        ).all()
        assert [e.username for e in uploads] == ["ann"] * 3 + ["bob"] * 3
    assert len([p for p in (app_env / "files").rglob("*") if p.is_file()]) == 3


def test_unreadable_file_fails_the_run(
    app_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "cv.txt"
    good.write_text("Jane Example\nQA engineer\njane@example.com\n")
    code, lines = run(["import", str(good), str(tmp_path / "missing.pdf")], capsys)
    assert code == 1
    assert lines[0].split("\t")[1] in ("parsed", "failed")
    assert lines[1].split("\t")[:2] == [str(tmp_path / "missing.pdf"), "error"]
    assert "1 not stored" in lines[-1]


def test_a_user_who_may_not_upload_is_refused(
    app_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], make_user
) -> None:
    make_user("analyst", "ana")
    good = tmp_path / "cv.txt"
    good.write_text("Jane Example\nQA engineer\njane@example.com\n")
    for user in ("ana", "nobody"):
        code, lines = run(["import", str(good), "--user", user], capsys)
        assert code == 2 and lines == []
    assert not (app_env / "files").exists() or not any((app_env / "files").rglob("*.*"))
