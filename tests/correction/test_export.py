"""The analyst export on SQLite and PostgreSQL: formats round-trip, corrections show, pseudonymised
output holds no name, e-mail or phone of the imported CVs, every export is audited, rows stream."""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
from sqlmodel import Session
from support import GENERATED

import cli
import correction.export as export_module
from correction.access import SYSTEM_USER, AccessDenied
from correction.export import ExportError, export, export_preview
from correction.export_rows import ENTITIES, REMOVED
from correction.intake import ingest
from correction.review import FieldChange, open_candidate, save_corrections
from data.export import ExportFilters
from data.queries import audit_events, current_record
from data.store import FileStore
from parsing.model import ParsedCV
from parsing.pipeline import parse_bytes

DOCS = GENERATED / "docs"
FILES = [*sorted(DOCS.glob("gen_2024_000*__*.txt"))[:6], DOCS / "gen_2024_00006__europass.pdf"]
pytestmark = pytest.mark.usefixtures("staff")  # recruiters ann and bob


@pytest.fixture(scope="module")
def parsed() -> dict[str, ParsedCV]:
    """The fixtures parsed once for the module (the export, not the parser, is under test)."""
    return {p.name: parse_bytes(p.read_bytes(), p.name) for p in FILES}


@pytest.fixture
def imported(
    session: Session, store: FileStore, parsed: dict[str, ParsedCV], app_env: Path
) -> dict[str, int]:
    """The generated CVs stored as the upload page does; file name → candidate id."""
    ids = {}
    for path in FILES:
        res = ingest(
            session=session,
            name=path.name,
            data=path.read_bytes(),
            user="ann",
            batch_id=None,
            store=store,
            parser=lambda d, n: parsed[n],
        )
        assert res.candidate_id is not None, res.message
        ids[path.name] = res.candidate_id
    return ids


@pytest.fixture
def analyst(make_user: Callable[..., str]) -> str:
    return make_user("analyst", "ana")


def truth() -> list[dict[str, Any]]:
    """The ground truth of the imported CVs (names, e-mails, phones as printed)."""
    stems = {p.name.split("__")[0] for p in FILES}
    return [json.loads((DOCS / f"{s}.json").read_text()) for s in sorted(stems)]


def run(session: Session, user: str, fmt: str, **kw: Any) -> tuple[bytes, Any]:
    out = io.BytesIO()
    report = export(
        session=session,
        user=user,
        fmt=fmt,
        filters=kw.pop("filters", ExportFilters()),
        pseudonymise=kw.pop("pseudonymise", False),
        out=out,
    )
    return out.getvalue(), report


def review(session: Session, cand: int, changes: list[FieldChange]) -> None:
    task = open_candidate(session=session, candidate_id=cand, user="bob")
    saved = save_corrections(
        session=session,
        candidate_id=cand,
        user="bob",
        expected_version=task.candidate.version_id,
        changes=changes,
        seconds_spent=3.0,
        done=True,
    )
    assert saved.ok


# --- formats ------------------------------------------------------------------------------------


def test_csv_has_one_row_per_candidate_with_current_values(
    session: Session, imported: dict[str, int], analyst: str
) -> None:
    data, report = run(session, analyst, "csv")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert report.count == len(rows) == len(FILES)
    by_id = {int(r["candidate_id"]): r for r in rows}
    for cand in imported.values():
        rec = current_record(session=session, candidate_id=cand).fields
        row = by_id[cand]
        assert row["name"] == rec.name.value and row["email"] == rec.email.key
        assert row["skills"].split("; ") == [str(s.key) for s in rec.skills or []]
        assert float(row["total_experience_years"]) == pytest.approx(
            float(rec.total_experience_years.key)
        )


def test_corrections_are_in_the_export(
    session: Session, imported: dict[str, int], analyst: str
) -> None:
    cand = imported[FILES[0].name]
    before = current_record(session=session, candidate_id=cand).fields
    dropped = str(before.skills[0].key)
    review(
        session,
        cand,
        [FieldChange("name", "edit", "Renamed Person"), FieldChange("skills[0]", "reject")],
    )
    data, _ = run(session, analyst, "json")
    item = next(i for i in json.loads(data) if i["candidate_id"] == cand)
    assert item["name"] == "Renamed Person" and item["status"] == "reviewed"
    assert dropped not in [s["skill"] for s in item["skills"]]
    assert len(item["skills"]) == len(before.skills) - 1


@pytest.mark.parametrize("pseudonymise", [False, True])
def test_json_resume_documents_validate(
    session: Session,
    imported: dict[str, int],
    analyst: str,
    jsonresume_schema: dict,
    pseudonymise: bool,
) -> None:
    data, _ = run(session, analyst, "jsonresume", pseudonymise=pseudonymise)
    docs = json.loads(data)
    assert len(docs) == len(FILES)
    validator = jsonschema.Draft7Validator(
        jsonresume_schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    for doc in docs:
        validator.validate(doc)
        assert doc["work"] and doc["skills"]
        assert ("name" in doc["basics"]) is not pseudonymise


def test_xlsx_has_a_typed_sheet_per_entity(
    session: Session, imported: dict[str, int], analyst: str
) -> None:
    data, _ = run(session, analyst, "xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == list(ENTITIES)
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in ENTITIES}
    head = sheets["candidates"][0]
    cands = [dict(zip(head, r, strict=True)) for r in sheets["candidates"][1:]]
    assert {c["candidate_id"] for c in cands} == set(imported.values())
    for c in cands:
        assert isinstance(c["candidate_id"], int) and isinstance(c["uploaded_at"], datetime)
        assert isinstance(c["total_experience_years"], int | float)  # a number, not text
        assert isinstance(c["n_positions"], int)
    exp_head = sheets["experience"][0]
    jobs = [dict(zip(exp_head, r, strict=True)) for r in sheets["experience"][1:]]
    assert sum(c["n_positions"] for c in cands) == len(jobs)
    assert all(j["candidate_id"] in imported.values() for j in jobs)
    assert all(isinstance(j["start"], datetime) for j in jobs if j["start"] is not None)
    assert any(j["start"] is not None for j in jobs)
    assert all(isinstance(j["current"], bool) for j in jobs)
    for name in ("education", "skills", "languages"):
        assert len(sheets[name]) > 1 and sheets[name][0][0] == "candidate_id"


def test_text_that_looks_like_a_formula_stays_text(
    session: Session, imported: dict[str, int], analyst: str
) -> None:
    cand = imported[FILES[1].name]
    review(session, cand, [FieldChange("experience[0].company", "edit", '=HYPERLINK("x","y")')])
    csv_data, _ = run(session, analyst, "csv")
    row = next(
        r for r in csv.DictReader(io.StringIO(csv_data.decode())) if int(r["candidate_id"]) == cand
    )
    assert row["current_company"] == '\'=HYPERLINK("x","y")'
    assert row["phone"].startswith("+") or row["phone"] == ""  # phone numbers are left alone
    book = openpyxl.load_workbook(io.BytesIO(run(session, analyst, "xlsx")[0]))
    cells = [c for row in book["experience"].iter_rows() for c in row if c.value]
    formula = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert formula and all(c.data_type == "s" for c in formula)


# --- pseudonymisation ---------------------------------------------------------------------------


def _identifiers() -> list[str]:
    out = []
    for gt in truth():
        out += [gt["name"], gt["name"].split()[-1]]
        if gt.get("email"):
            out += [gt["email"], gt["email"].split("@")[0]]
        if gt.get("phone"):
            out += [gt["phone"], "".join(ch for ch in gt["phone"] if ch.isdigit())]
    return out


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "jsonresume"])
def test_pseudonymised_export_has_no_names_or_contact_details(
    session: Session, imported: dict[str, int], analyst: str, fmt: str
) -> None:
    cand = imported[FILES[2].name]
    gt = truth()[2]
    leak = f"Ask {gt['name']} at {gt['email']} or +44 20 7946 0958"
    review(session, cand, [FieldChange("experience[0].company", "edit", leak)])
    data, report = run(session, analyst, fmt, pseudonymise=True)
    assert report.count == len(FILES)
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data))
        text = "\n".join(
            str(v) for ws in book for row in ws.iter_rows(values_only=True) for v in row
        )
    else:
        text = data.decode("utf-8")
    folded = text.casefold()
    for ident in [*_identifiers(), "+44 20 7946 0958", "442079460958"]:
        assert ident.casefold() not in folded, f"{ident!r} is in the pseudonymised {fmt}"
    assert "candidate_id" not in text and ".txt" not in text and ".pdf" not in text
    assert f"Ask {REMOVED} at {REMOVED} or {REMOVED}" in text


def test_pseudonymous_keys_are_stable_and_keyed(
    session: Session, imported: dict[str, int], analyst: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def keys() -> list[str]:
        data, _ = run(session, analyst, "csv", pseudonymise=True)
        return [r["candidate_key"] for r in csv.DictReader(io.StringIO(data.decode()))]

    first = keys()
    assert len(set(first)) == len(FILES) and keys() == first
    monkeypatch.setenv("CVASSIST_PSEUDONYM_SECRET", "another installation")
    export_module.get_settings.cache_clear()
    assert set(keys()).isdisjoint(first)


# --- access, audit, streaming -------------------------------------------------------------------


def test_export_is_audited_without_personal_data(
    session: Session, imported: dict[str, int], analyst: str
) -> None:
    filters = ExportFilters(skills=("Python",), min_years=2)
    _, report = run(session, analyst, "xlsx", filters=filters, pseudonymise=True)
    [event] = audit_events(session=session, action="export")
    assert event.username == analyst
    assert event.detail == {
        "format": "xlsx",
        "pseudonymised": True,
        "count": report.count,
        "completed": True,
        "filters": {"skills": ["Python"], "min_years": 2},
    }
    detail = json.dumps(event.detail).casefold()
    assert not any(i.casefold() in detail for i in _identifiers())


def test_only_analysts_and_admins_export(
    session: Session, imported: dict[str, int], make_user: Callable[..., str]
) -> None:
    for role in ("recruiter", "hr_lead"):
        with pytest.raises(AccessDenied):
            run(session, make_user(role, f"{role.replace('_', '')}2"), "csv")
    data, _ = run(session, make_user("admin", "root"), "csv")
    assert data.count(b"\n") == len(FILES) + 1
    assert audit_events(session=session, action="export")[0].username == "root"


def test_preview_counts_what_the_export_writes(
    session: Session, imported: dict[str, int], analyst: str
) -> None:
    filters = ExportFilters(languages=("English",))
    preview = export_preview(session=session, user=analyst, filters=filters)
    _, report = run(session, analyst, "json", filters=filters)
    assert 0 < preview.count == report.count < len(FILES) + 1


def test_unknown_format_is_a_sentence(session: Session, analyst: str) -> None:
    with pytest.raises(ExportError, match="Choose one of these formats"):
        run(session, analyst, "pdf")


def test_rows_are_written_while_candidates_are_read(
    session: Session, imported: dict[str, int], analyst: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.BytesIO()
    written_at_read: list[int] = []
    real = export_module.iter_export

    def watched(**kw: Any) -> Any:
        for c in real(**kw, page_size=2):
            written_at_read.append(out.tell())
            yield c

    monkeypatch.setattr(export_module, "iter_export", watched)
    export(
        session=session,
        user=analyst,
        fmt="json",
        filters=ExportFilters(),
        pseudonymise=False,
        out=out,
    )
    assert len(written_at_read) == len(FILES)
    # each candidate was on its way out before the next one was read
    assert all(a < b for a, b in itertools.pairwise(written_at_read))
    assert written_at_read[-1] < len(out.getvalue())


# --- command line -------------------------------------------------------------------------------


def cli_run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    return int(exit_.value.code or 0), capsys.readouterr().err


def test_cli_export_writes_the_file_and_audits(
    session: Session, imported: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.csv"
    first = current_record(session=session, candidate_id=imported[FILES[0].name])
    skill = str(first.fields.skills[0].key)
    session.rollback()  # end the read: the command line writes in its own session
    argv = ["export", "--format", "csv", "--pseudonymise", "--skill", skill, "--out", str(out)]
    code, err = cli_run([*argv, "--since", "2000-01-01", "--until", "2999-12-31"], capsys)
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert code == 0 and err.startswith(
        f"{len(rows)} candidates written to {out} (csv, pseudonymised)"
    )
    assert rows and all(skill.casefold() in r["skills"].casefold() for r in rows)
    [event] = audit_events(session=session, action="export")
    assert event.username == SYSTEM_USER and event.detail["filters"]["skills"] == [skill]


def test_cli_bad_date_is_a_sentence_and_keeps_the_old_file(
    session: Session, imported: dict[str, int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    out = folder / "out.json"
    out.write_text("earlier export")
    argv = ["export", "--format", "json", "--since", "30/11", "--out", str(out)]
    code, err = cli_run(argv, capsys)
    assert code == 2
    assert err == "cvassist export: '30/11' is not a date; write it as YYYY-MM-DD.\n"
    assert out.read_text() == "earlier export" and list(folder.iterdir()) == [out]
    assert audit_events(session=session, action="export") == []
