"""An analyst downloads an export in Debian's Chromium against `streamlit run app.py` (Playwright):
sign in with the password form, open Export, filter on a skill, prepare, download; the file is the
pseudonymised CSV of the matching candidates and the export is in the audit log. With
CVASSIST_SCREENSHOTS=1 the screenshot goes to docs/screenshots/ (else a temporary folder).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from browser import idle, require_chromium, running_app, shot, sign_in
from dbfixtures import cheap_hashing
from sqlmodel import Session

from correction.accounts import create_user
from correction.intake import ingest
from data.db import dispose_engines, get_engine, init_db
from data.queries import audit_events
from data.store import FileStore
from parsing.model import ParsedCV

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1600, "height": 1000}
ANALYST, PASSWORD = "otto", "correct horse battery"
PEOPLE = {
    "Ada Quill": ("ada.quill@example.org", "+44 20 7946 0101", ["Python", "SQL"]),
    "Bert Rowan": ("bert.rowan@example.org", "+49 30 901820", ["Excel"]),
    "Cleo Stone": ("cleo.stone@example.org", "+33 1 70 36 39 50", ["Python"]),
}

sync_api = require_chromium()


@dataclass(frozen=True)
class App:
    url: str
    db_url: str


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


def _seed(url: str, data_dir: Path) -> None:
    """An analyst and a recruiter; the recruiter's three CVs."""
    engine = get_engine(url)
    init_db(engine)
    with Session(engine, expire_on_commit=False) as s:
        create_user(session=s, username=ANALYST, role="analyst", password=PASSWORD)
        create_user(session=s, username="ann", role="recruiter", password=PASSWORD)
        for person in PEOPLE:
            res = ingest(
                session=s,
                name=f"{person.replace(' ', '_')}.txt",
                data=person.encode(),
                user="ann",
                batch_id=None,
                store=FileStore(data_dir / "files"),
                parser=_cv,
            )
            assert res.candidate_id is not None, res.message
    dispose_engines()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """`streamlit run app.py` (password sign-in) on a seeded SQLite database."""
    data_dir = tmp_path_factory.mktemp("export-app")
    db_url = f"sqlite:///{data_dir / 'cvassist.sqlite'}"
    with cheap_hashing():
        _seed(db_url, data_dir)
    with running_app(data_dir, db_url) as url:
        yield App(url, db_url)


def test_analyst_downloads_a_pseudonymised_export(browser, app: App) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        sign_in(pg, ANALYST, PASSWORD, url=app.url)
        idle(pg)
        # the analyst's only page, so the one sign-in lands on (a reload would sign out)
        pg.get_by_role("heading", name="Export").wait_for()
        idle(pg)
        metric = pg.get_by_test_id("stMetricValue")
        sync_api.expect(metric).to_have_text("3", timeout=30_000)
        skills = pg.get_by_role("textbox", name="Skills (comma-separated)")
        skills.fill("python")
        skills.press("Enter")
        sync_api.expect(metric).to_have_text("2", timeout=30_000)  # the count follows the filter
        idle(pg)
        pg.get_by_role("button", name="Prepare export").click()
        pg.get_by_text("Exported 2 candidates as pseudonymised CSV").wait_for()
        idle(pg)
        shot(pg, "export")
        with pg.expect_download() as info:
            pg.get_by_role("button", name="Download candidates-").click()
        download = info.value
        assert download.suggested_filename.endswith("-pseudonymised.csv")
        text = Path(download.path()).read_text(encoding="utf-8")
    finally:
        context.close()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 and all(len(r["candidate_key"]) == 24 for r in rows)
    assert all("Python" in r["skills"] for r in rows)
    for person, (email, phone, _) in PEOPLE.items():
        assert person not in text and email not in text and phone not in text
    with Session(get_engine(app.db_url)) as s:
        [event] = audit_events(session=s, action="export")
    assert event.username == ANALYST and event.detail["count"] == 2
    dispose_engines()
