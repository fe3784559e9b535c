"""The HR lead dashboard in Debian's Chromium against `streamlit run app.py` (Playwright): an
HR lead signs in with the password form and sees the dashboard with its Vega-Lite charts drawn,
in the light and the dark theme (the app follows the browser's colour scheme). With
CVASSIST_SCREENSHOTS=1 the screenshots go to docs/screenshots/ (else a temporary folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from browser import idle, require_chromium, running_app, shot, sign_in
from dbfixtures import cheap_hashing, synthetic_cv
from sqlmodel import Session

from correction.accounts import create_user
from correction.intake import ingest
from correction.review import FieldChange, open_candidate, save_corrections
from data.db import dispose_engines, get_engine, init_db
from data.models import DriftAlert, utcnow
from data.store import FileStore

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1600, "height": 1000}
SHOT_HEIGHT = 2300  # the app scrolls inside its own container: a tall viewport shows it all
LEAD, PASSWORD = "lena", "correct horse battery"
CONF = {"name": 0.9, "email": 0.7, "phone": 0.55, "skills[0]": 0.4, "experience[0].title": 0.8}
N_CHARTS = 6  # trend, CVs per day, by model, by batch, by format, calibration

require_chromium()


def _seed(url: str, data_dir: Path) -> None:
    """An HR lead and a recruiter; four CVs, three reviewed (some fields edited); one alert."""
    engine = get_engine(url)
    init_db(engine)
    store = FileStore(data_dir / "files")
    with Session(engine, expire_on_commit=False) as s:
        create_user(session=s, username=LEAD, role="hr_lead", password=PASSWORD)
        create_user(session=s, username="ann", role="recruiter", password=PASSWORD)
        for n in range(4):
            res = ingest(
                session=s,
                name=f"cv{n}.txt",
                data=f"cv {n}".encode(),
                user="ann",
                batch_id=None,
                store=store,
                parser=lambda d, name: synthetic_cv(d, name, CONF),
            )
            if n == 3:
                break
            task = open_candidate(session=s, candidate_id=res.candidate_id, user="ann")
            edits = {"email", "phone"} if n == 0 else {"skills[0]"} if n == 1 else set()
            save_corrections(
                session=s,
                candidate_id=res.candidate_id,
                user="ann",
                expected_version=task.candidate.version_id,
                changes=[
                    FieldChange(f.path, "edit", "fixed")
                    if f.path in edits
                    else FieldChange(f.path, "accept")
                    for f in task.fields
                ],
                seconds_spent=30.0 + 20 * n,
            )
        now = utcnow()
        s.add(
            DriftAlert(
                kind="correction_rate",
                subject="email",
                window_start=now - timedelta(days=1),
                window_end=now + timedelta(days=6),
                observed=0.5,
                expected=0.1,
                lower=0.0,
                upper=0.2,
                n=60,
            )
        )
        s.commit()
    dispose_engines()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run app.py` (password sign-in) on a seeded SQLite database."""
    data_dir = tmp_path_factory.mktemp("dash-app")
    db_url = f"sqlite:///{data_dir / 'cvassist.sqlite'}"
    with cheap_hashing():
        _seed(db_url, data_dir)
    with running_app(data_dir, db_url) as url:
        yield url


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_hr_lead_signs_in_and_sees_the_charts(browser, app_url: str, scheme: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, color_scheme=scheme)
    pg = context.new_page()
    pg.set_default_timeout(90_000)  # the machine may be busy: a slow first run is not a failure
    try:
        sign_in(pg, LEAD, PASSWORD, url=app_url)
        idle(pg)
        # through the sidebar: a new page load would be a new session (signed out again)
        pg.locator("[data-testid=stSidebarNav]").get_by_text("Dashboard", exact=True).click()
        pg.get_by_role("heading", name="Dashboard").wait_for()
        charts = pg.locator("[data-testid=stVegaLiteChart]")
        charts.nth(N_CHARTS - 1).wait_for()
        idle(pg)
        assert charts.count() == N_CHARTS
        for i in range(N_CHARTS):  # every chart drawn: a canvas or svg with a real size
            drawn = charts.nth(i).locator("canvas, svg.marks").first
            drawn.wait_for()
            box = drawn.bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50, (i, box)
        assert pg.get_by_text("Corrections to email rose to 50%").is_visible()
        assert pg.get_by_text("Median time per CV").is_visible()
        background = pg.evaluate(
            "() => getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor"
        )
        rgb = [int(x) for x in background.strip("rgba()").split(",")[:3]]
        assert (sum(rgb) / 3 < 100) == (scheme == "dark"), background
        pg.set_viewport_size({"width": VIEWPORT["width"], "height": SHOT_HEIGHT})  # whole page
        idle(pg)
        shot(pg, f"dashboard_{scheme}", full_page=False)
    finally:
        context.close()
