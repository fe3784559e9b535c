"""`cvassist parse`: output shapes, schemas, batches with bad files, workers, hostile input."""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from support import ROOT

import cli

CV_TXT = (
    "Amelia Hartley\namelia.hartley@example.com | +44 20 7946 0958 | London, UK\n"
    "linkedin.com/in/amelia-hartley\n\nExperience\nSoftware Engineer, Acme Ltd\n"
    "Jan 2019 - Present\n\nEducation\nB.Sc. in Physics, University of Leeds, 2014 - 2018\n\n"
    "Skills\nPython, SQL, Kubernetes\n\nLanguages\nEnglish (native), German (B2)\n"
)
TRACE_MARKERS = ("Traceback", 'File "', "Error:", "Exception")


def _pdf_cv() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    for k, line in enumerate(CV_TXT.splitlines()):
        c.drawString(50, A4[1] - 60 - 14 * k, line)
    c.save()
    return buf.getvalue()


def _docx_cv() -> bytes:
    from docx import Document

    doc = Document()
    for line in CV_TXT.splitlines():
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["parse", *args])
    out, err = capsys.readouterr()
    code = exit_.value.code
    return int(code) if isinstance(code, int) else 1, out, err


def _lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def _validate(doc: dict[str, Any], schema: dict[str, Any]) -> None:
    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def _no_traceback(*texts: str) -> None:
    for text in texts:
        for marker in TRACE_MARKERS:
            assert marker not in text, text[-2000:]


@pytest.fixture
def cvs(tmp_path: Path) -> list[Path]:
    """A good CV in each format."""
    files = {"a.txt": CV_TXT.encode(), "b.pdf": _pdf_cv(), "c.docx": _docx_cv()}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return [tmp_path / n for n in files]


JUNK = {
    "empty.pdf": b"",
    "photo.pdf": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
    "noise.txt": random.Random(1).randbytes(3000),
    "cut.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n",
    "nodoc.docx": b"PK\x03\x04" + b"\x00" * 100,
}


@pytest.fixture
def junk(tmp_path: Path) -> list[Path]:
    """Hostile files: empty, image, legacy .doc, noise, a cut PDF, a damaged zip."""
    d = tmp_path / "junk"
    d.mkdir()
    for name, data in JUNK.items():
        (d / name).write_bytes(data)
    return [d / n for n in JUNK]


def test_one_file_is_one_pretty_json_document(
    cvs: list[Path], capsys: pytest.CaptureFixture[str], parsed_cv_schema: dict[str, Any]
) -> None:
    code, out, _ = _run(capsys, str(cvs[0]))
    assert code == 0
    assert out.startswith("{\n  ")  # indented, for a human at a terminal
    doc = json.loads(out)
    _validate(doc, parsed_cv_schema)
    assert doc["file"] == "a.txt" and doc["status"] == "ok"
    assert doc["fields"]["name"]["value"] == "Amelia Hartley"
    assert doc["fields"]["email"]["normalized"] == "amelia.hartley@example.com"


def test_several_files_are_json_lines(
    cvs: list[Path], capsys: pytest.CaptureFixture[str], parsed_cv_schema: dict[str, Any]
) -> None:
    code, out, _ = _run(capsys, *map(str, cvs))
    docs = _lines(out)
    assert code == 0
    assert len(out.splitlines()) == 3
    assert [d["file"] for d in docs] == ["a.txt", "b.pdf", "c.docx"]
    for doc in docs:
        _validate(doc, parsed_cv_schema)
        assert doc["fields"]["email"]["normalized"] == "amelia.hartley@example.com", doc["file"]


def test_a_directory_is_walked(
    cvs: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nested = tmp_path / "more" / "deeper"
    nested.mkdir(parents=True)
    (nested / "d.md").write_text(CV_TXT, encoding="utf-8")
    (tmp_path / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # not a CV suffix: skipped
    code, out, _ = _run(capsys, str(tmp_path))
    assert code == 0
    assert [d["file"] for d in _lines(out)] == ["a.txt", "b.pdf", "c.docx", "d.md"]


def test_empty_directory_is_a_message_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, str(tmp_path))
    assert code == 1 and out == ""
    assert "no input files" in err
    _no_traceback(err)


def test_jsonresume_output_validates(
    cvs: list[Path], capsys: pytest.CaptureFixture[str], jsonresume_schema: dict[str, Any]
) -> None:
    code, out, _ = _run(capsys, "--format", "jsonresume", *map(str, cvs))
    assert code == 0
    docs = _lines(out)
    assert [d["file"] for d in docs] == ["a.txt", "b.pdf", "c.docx"]
    for doc in docs:
        _validate(doc, jsonresume_schema)
        assert doc["basics"]["name"] == "Amelia Hartley"
        assert doc["basics"]["email"] == "amelia.hartley@example.com"
        assert {s["name"] for s in doc.get("skills", [])} >= {"Python", "SQL", "Kubernetes"}


def test_out_dir_gets_one_file_per_input(
    cvs: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "results"
    code, out, _ = _run(capsys, "--out", str(out_dir), *map(str, cvs))
    assert code == 0 and out == ""
    written = sorted(p.name for p in out_dir.iterdir())
    assert written == ["a.txt.json", "b.pdf.json", "c.docx.json"]
    for path in out_dir.iterdir():
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert f"{doc['file']}.json" == path.name and doc["status"] == "ok"


def test_bad_file_in_a_batch(
    cvs: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "b_scan.pdf"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    code, out, err = _run(capsys, str(cvs[0]), str(bad), str(cvs[1]))
    docs = _lines(out)
    assert code == 1
    assert [(d["file"], d["status"]) for d in docs] == [
        ("a.txt", "ok"),
        ("b_scan.pdf", "unsupported"),
        ("b.pdf", "ok"),
    ]
    assert docs[1]["message"].endswith(".") and docs[1]["fields"] == {}
    assert docs[2]["fields"]["name"]["value"] == "Amelia Hartley"
    _no_traceback(out, err)


def test_workers_give_the_same_results(
    cvs: list[Path], junk: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    paths = [str(p) for p in [*cvs, *junk[:3]]]

    def stable(out: str) -> list[dict[str, Any]]:
        docs = _lines(out)
        for d in docs:
            d.pop("parse_ms", None)
        return docs

    one = _run(capsys, "--workers", "1", *paths)
    two = _run(capsys, "--workers", "2", *paths)
    assert one[0] == two[0] == 1
    assert stable(one[1]) == stable(two[1])
    assert len(stable(two[1])) == len(paths)


def test_hostile_input_never_shows_a_traceback(
    junk: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.pdf"
    code, out, err = _run(capsys, *map(str, junk), str(missing))
    _no_traceback(out, err)
    docs = _lines(out)
    assert code == 1
    assert [d["file"] for d in docs] == [*JUNK, "missing.pdf"]
    for doc in docs:
        assert doc["status"] not in ("ok", "partial"), doc
        assert doc["message"] and "\n" not in doc["message"], doc


def test_file_name_that_is_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = os.fsdecode(b"caf\xe9.txt")
    (tmp_path / name).write_text(CV_TXT, encoding="utf-8")
    code, out, _ = _run(capsys, str(tmp_path / name))
    assert code == 0
    assert json.loads(out)["status"] == "ok"


def test_closed_stdout_exits_quietly(
    cvs: list[Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class ClosedPipe(io.StringIO):
        def write(self, s: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    with pytest.raises(SystemExit):
        cli.main(["parse", *map(str, cvs)])


def test_console_script(cvs: list[Path], junk: list[Path]) -> None:
    """The installed `cvassist` entry point end to end: JSON Lines, exit 1, clean stderr."""
    exe = ROOT / ".venv" / "bin" / "cvassist"
    if not exe.exists():
        pytest.skip("the console script is not installed in .venv")
    proc = subprocess.run(
        [str(exe), "parse", str(cvs[0]), str(junk[1])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    docs = _lines(proc.stdout)
    assert [(d["file"], d["status"]) for d in docs] == [
        ("a.txt", "ok"),
        ("photo.pdf", "unsupported"),
    ]
    _no_traceback(proc.stdout, proc.stderr)
