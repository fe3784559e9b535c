"""The analyst's Export page with AppTest: role gating, the live count, prepare → audited file."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest
from support import ROOT

from correction import accounts
from correction.accounts import create_user
from correction.intake import ingest
from data.db import dispose_engines, get_engine, init_db
from data.queries import audit_events
from data.store import FileStore
from parsing.model import ParsedCV
from settings import get_settings
from ui.nav import allowed

PAGE = "ui/export.py"
TIMEOUT = 30
PASSWORD = "correct horse battery"
PEOPLE = {
    "Ada Quill": ("ada.quill@example.org", "+44 20 7946 0101", ["Python", "SQL"]),
    "Bert Rowan": ("bert.rowan@example.org", "+49 30 901820", ["Excel"]),
    "Cleo Stone": ("cleo.stone@example.org", "+33 1 70 36 39 50", ["Python"]),
}


def _node(value: Any) -> dict[str, Any]:
    return {"value": value, "normalized": value, "confidence": 0.9, "extractor": "test"}


def _cv(data: bytes, name: str) -> ParsedCV:
    person = data.decode()
    email, phone, skills = PEOPLE[person]
    fields = {
        "name": _node(person),
        "email": _node(email),
        "phone": _node(phone),
        "skills": [_node(s) for s in skills],
        "experience": [{"title": _node("Analyst"), "company": _node(f"{person} Consulting")}],
    }
    return ParsedCV.model_validate(
        {
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "status": "ok",
            "model_version": "test-1",
            "fields": fields,
        }
    )


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A migrated SQLite database with three CVs and a recruiter, an analyst and an admin."""
    url = f"sqlite:///{tmp_path / 'cvassist.sqlite'}"
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    init_db(get_engine(url))
    from argon2 import PasswordHasher

    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    with Session(get_engine(url), expire_on_commit=False) as s:
        for name, role in (("ann", "recruiter"), ("ana", "analyst"), ("lena", "hr_lead")):
            create_user(session=s, username=name, role=role, password=PASSWORD)
        for n, person in enumerate(PEOPLE):
            res = ingest(
                session=s,
                name=f"{person.split()[0].lower()}-cv.txt",
                data=person.encode(),
                user="ann",
                batch_id=None,
                store=FileStore(data_dir / "files"),
                parser=_cv,
            )
            assert res.candidate_id is not None, (n, res.message)
    yield data_dir
    dispose_engines()
    get_settings.cache_clear()


def run(user: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.session_state["user"] = user
    at.run()
    assert not at.exception, at.exception
    return at


def matching(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Candidates matching")


def test_export_is_in_the_navigation_of_analysts_and_admins_only() -> None:
    assert "export" in allowed("analyst") and "export" in allowed("admin")
    assert "export" not in allowed("recruiter") and "export" not in allowed("hr_lead")


@pytest.mark.parametrize("user", ["ann", "lena"])
def test_other_roles_are_stopped(env: Path, user: str) -> None:
    at = run(user)
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.button


def test_the_count_follows_the_filters(env: Path) -> None:
    at = run("ana")
    assert matching(at) == "3"
    at.text_input(key="x_skills").input("python").run()
    assert matching(at) == "2"
    at.text_input(key="x_skills").input("python, excel").run()
    assert matching(at) == "3"
    at.toggle(key="x_all_skills").set_value(True).run()
    assert matching(at) == "0"
    assert at.button[0].disabled  # nothing to export


def test_prepare_writes_a_pseudonymised_audited_csv(env: Path) -> None:
    at = run("ana")
    assert at.toggle(key="x_pseudonymise").value is True  # the default
    at.text_input(key="x_skills").input("Python").run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("Exported 2 candidates as pseudonymised CSV in ")
    [path] = (env / "exports").iterdir()
    text = path.read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 and all(r["candidate_key"] for r in rows)
    for person, (email, phone, _) in PEOPLE.items():
        for ident in (person, person.split()[1], email, phone):
            assert ident not in text
    with Session(get_engine()) as s:
        [event] = audit_events(session=s, action="export")
    assert event.username == "ana"
    assert event.detail["count"] == 2 and event.detail["filters"] == {"skills": ["Python"]}


def test_a_new_export_replaces_the_previous_file(env: Path) -> None:
    at = run("ana")
    at.button[0].click().run()
    [first] = (env / "exports").iterdir()
    at.selectbox(key="x_format").select("xlsx").run()
    at.toggle(key="x_pseudonymise").set_value(False).run()
    at.button[0].click().run()
    assert at.success[0].value.startswith("Exported 3 candidates as Excel (XLSX) in ")
    [second] = (env / "exports").iterdir()
    assert second != first and second.suffix == ".xlsx"
    book = openpyxl.load_workbook(second)
    names = [r[0] for r in book["candidates"].iter_rows(min_row=2, values_only=True)]
    assert len(names) == 3
    cells = {c for r in book["candidates"].iter_rows(values_only=True) for c in r}
    assert set(PEOPLE) <= cells  # not pseudonymised: the names are there
