"""An analyst downloads an export in Debian's Chromium against `streamlit run app.py` (Playwright):
sign in with the password form, open Export, filter on a skill, prepare, download; the file is the
pseudonymised CSV of the matching candidates and the export is in the audit log. With
CVASSIST_SCREENSHOTS=1 the screenshot goes to docs/screenshots/ (else a temporary folder).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session
from support import ROOT

from correction import accounts
from correction.accounts import create_user
from correction.intake import ingest
from data.db import dispose_engines, get_engine, init_db
from data.queries import audit_events
from data.store import FileStore
from parsing.model import ParsedCV

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("CVASSIST_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "cvassist-screenshots"
)
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1600, "height": 1000}
ANALYST, PASSWORD = "otto", "correct horse battery"
PEOPLE = {
    "Ada Quill": ("ada.quill@example.org", "+44 20 7946 0101", ["Python", "SQL"]),
    "Bert Rowan": ("bert.rowan@example.org", "+49 30 901820", ["Excel"]),
    "Cleo Stone": ("cleo.stone@example.org", "+33 1 70 36 39 50", ["Python"]),
}

if not CHROMIUM.exists():
    pytest.skip("Debian chromium is not installed at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """`streamlit run app.py` (password sign-in) on a seeded SQLite database."""
    data_dir = tmp_path_factory.mktemp("export-app")
    db_url = f"sqlite:///{data_dir / 'cvassist.sqlite'}"
    with pytest.MonkeyPatch.context() as mp:
        from argon2 import PasswordHasher

        mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
        _seed(db_url, data_dir)
    port = _free_port()
    env = {
        **os.environ,
        "CVASSIST_DATA_DIR": str(data_dir),
        "CVASSIST_DATABASE_URL": db_url,
        "CVASSIST_AUTH": "local",
    }
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", f"--server.port={port}"]
    cmd += ["--server.address=127.0.0.1", "--server.headless=true"]
    cmd += ["--server.fileWatcherType=none", "--browser.gatherUsageStats=false"]
    log = (data_dir / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.3)
        yield App(url, db_url)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def idle(pg) -> None:
    """Wait until the app finished its current run."""
    time.sleep(0.3)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000
    )
    time.sleep(0.3)


def sign_in(pg, url: str, username: str, password: str) -> None:
    """Sign in through the password form."""
    pg.goto(url)
    pg.get_by_role("textbox", name="User name").wait_for(timeout=90_000)  # a cold server
    pg.get_by_role("textbox", name="User name").fill(username)
    pg.get_by_role("textbox", name="Password").fill(password)
    pg.get_by_role("button", name="Sign in", exact=True).click()
    pg.get_by_text(f"Signed in as {username}").wait_for()
    idle(pg)


def test_analyst_downloads_a_pseudonymised_export(browser, app: App) -> None:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        sign_in(pg, app.url, ANALYST, PASSWORD)
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
        SHOTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(SHOTS / "export.png"), full_page=True)
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
