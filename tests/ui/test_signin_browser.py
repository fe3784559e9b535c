"""Sign-in in Debian's Chromium against `streamlit run app.py` with local accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browser import SIGNED_IN, chromium, require_chromium, running_app, sign_in, submit_sign_in
from dbfixtures import TEST_PASSWORD
from sqlmodel import Session, select

from correction.accounts import BAD_CREDENTIALS, create_user
from data.db import dispose_engines, init_db, make_engine
from data.models import AuditEvent

pytestmark = pytest.mark.browser

require_chromium()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(url, database url) of a server with one recruiter account, 'rita'."""
    data_dir = tmp_path_factory.mktemp("signin-app")
    db_url = f"sqlite:///{data_dir / 'cvassist.sqlite'}"
    engine = make_engine(db_url)
    init_db(engine)
    with Session(engine) as s:
        create_user(session=s, username="rita", role="recruiter", password=TEST_PASSWORD)
    engine.dispose()
    with running_app(data_dir, db_url) as url:
        yield url, db_url
    dispose_engines()


@pytest.fixture
def page() -> Iterator[object]:
    with chromium() as browser:
        pg = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        pg.set_default_timeout(60_000)
        yield pg


def test_wrong_password_shows_a_sentence_then_the_recruiter_sees_the_queue(app, page) -> None:
    url, db_url = app
    page.goto(url)
    page.get_by_role("heading", name="Sign in to CV Assist").wait_for(timeout=90_000)
    assert page.get_by_text("Review queue").count() == 0  # nothing but the sign-in page
    submit_sign_in(page, "rita", "not her password")
    page.get_by_text(BAD_CREDENTIALS).wait_for()

    sign_in(page, "rita", TEST_PASSWORD)
    page.get_by_role("heading", name="Review queue").wait_for()
    nav = page.locator("[data-testid=stSidebarNav]")
    assert nav.get_by_text("Upload", exact=True).is_visible()
    assert nav.get_by_text("Users", exact=True).count() == 0  # admin pages are not offered

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to CV Assist").wait_for()
    page.get_by_text(SIGNED_IN.format("rita")).wait_for(state="detached")  # gone, not stale

    engine = make_engine(db_url)
    with Session(engine) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.username == "rita")).all()
        assert [(e.action, e.detail.get("ok")) for e in events] == [
            ("sign_in", False),
            ("sign_in", True),
            ("sign_out", None),
        ]
    engine.dispose()
