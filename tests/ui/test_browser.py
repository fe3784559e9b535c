"""The whole recruiter flow in Debian's Chromium against `streamlit run app.py` (Playwright).

Upload three generated CVs → open the most uncertain one from the queue → fix two fields with the
keyboard → save with Ctrl+Enter → the correction and audit rows exist and the Candidate page shows
the new values; a concurrent save shows the conflict and merges; the same file twice is a
duplicate. With CVASSIST_SCREENSHOTS=1 the screenshots of every page are refreshed in
docs/screenshots/ (otherwise they go to a temporary folder, so a test run leaves the tree clean).
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import idle, require_chromium, running_app, shot
from dbfixtures import TEST_PASSWORD
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, col, select
from support import GENERATED

from correction.accounts import LOCAL_ADMIN, create_user
from correction.review import FieldChange, save_corrections
from data.db import init_db
from data.models import AuditEvent, Candidate, Correction
from data.queries import current_record

pytestmark = pytest.mark.browser

DOCS = GENERATED / "docs"
CVS = [
    DOCS / "gen_2024_00003__sidebar_left.pdf",
    DOCS / "gen_2024_00004__sidebar_right.docx",
    DOCS / "gen_2024_00006__europass.pdf",
]
VIEWPORT = {"width": 1600, "height": 1000}
ROW_PX = 35  # data editor row height (and header)
FIELD_PX = 105  # the editors' "field" column width (ui/correct.py)
MARKER_PX = 33  # row-marker column of editors that can add/delete rows

require_chromium()


@dataclass(frozen=True)
class App:
    url: str
    engine: Engine


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """`streamlit run app.py` on a free port with its own SQLite database and file store."""
    data_dir = tmp_path_factory.mktemp("app-data")
    db_url = f"sqlite:///{data_dir / 'cvassist.sqlite'}"
    engine = create_engine(db_url)
    init_db(engine)
    with Session(engine) as s:  # the other recruiter of the conflict test
        create_user(session=s, username="bob", role="recruiter", password=TEST_PASSWORD)
    # single-user mode, as `make run` (signed in as the local admin); the app parses the uploads
    with running_app(data_dir, db_url, CVASSIST_AUTH="none", CVASSIST_EMBEDDED_WORKERS="2") as url:
        try:
            yield App(url, engine)
        finally:
            engine.dispose()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    context.close()


# --- helpers -------------------------------------------------------------------------------------


def upload(pg, app: App, files: list[Path]) -> None:
    pg.goto(f"{app.url}/upload")
    pg.locator("[data-testid=stFileUploaderDropzoneInput]").wait_for(state="attached")
    idle(pg)
    pg.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(f) for f in files])
    n = len(files)
    pg.get_by_role("button", name=f"Store and parse {n} file{'s' if n != 1 else ''}").click()
    pg.get_by_text(f"{n} of {n} files done").first.wait_for(timeout=120_000)
    idle(pg)


def wait_cell(pg, text: str) -> None:
    """Wait until some table on the page has a cell with exactly this text."""
    pg.locator("td[id^=glide-cell]", has_text=text).first.wait_for(state="attached")


def cell_text(pg, editor: str, col: int, row: int) -> str:
    """A data editor cell's text, from the grid's accessibility table."""
    return pg.locator(f".st-key-{editor} #glide-cell-{col}-{row}").inner_text()


def _active(pg) -> list[str]:
    return pg.evaluate(
        "() => [document.activeElement.tagName, document.activeElement.id,"
        " document.activeElement.value || '']"
    )


def edit_cell(pg, editor: str, row: int, text: str) -> None:
    """Select a value cell of a contact-style editor, open it (Enter), replace the text, Enter.

    Each step is checked (the cell has the focus, the editor holds the text, the grid shows it)
    and retried: a rerun can redraw the grid under the pointer.
    """
    grid = pg.locator(f".st-key-{editor} [data-testid=data-grid-canvas]")
    cell = f"glide-cell-2-{row}"
    for attempt in range(16):
        idle(pg)
        # right after a CV opens, the grid can drop edits for some seconds (seen with a PDF's
        # page images still arriving): wait a little longer before each new try
        time.sleep(min(0.5 * attempt, 2.0))
        idle(pg)
        box = grid.bounding_box()
        pg.mouse.click(box["x"] + MARKER_PX + FIELD_PX + 80, box["y"] + ROW_PX * (row + 1.5))
        time.sleep(0.3)
        # the page may have moved under the pointer (an image above finished loading): walk
        # from the value cell that got the focus to the wanted row with the arrow keys
        got = re.fullmatch(r"glide-cell-2-(\d+)", _active(pg)[1])
        if got and int(got.group(1)) != row:
            step = "ArrowDown" if row > int(got.group(1)) else "ArrowUp"
            for _ in range(abs(row - int(got.group(1)))):
                pg.keyboard.press(step)
            time.sleep(0.3)
        if _active(pg)[1] == cell:
            pg.keyboard.press("Enter")  # open the cell editor
            time.sleep(0.3)
        if _active(pg)[0] != "TEXTAREA":
            continue
        pg.keyboard.press("Control+a")
        pg.keyboard.type(text)
        if _active(pg)[2] != text:
            pg.keyboard.press("Escape")
            continue
        pg.keyboard.press("Enter")
        idle(pg)
        for _ in range(10):  # the grid's accessible table is redrawn after the canvas
            if cell_text(pg, editor, 2, row) == text:
                return
            time.sleep(0.2)
    pg.screenshot(path=str(Path(tempfile.gettempdir()) / "cvassist-edit-failure.png"))
    raise AssertionError(f"could not edit row {row} of {editor}")


def open_correct(pg, app: App, candidate_id: int) -> str:
    pg.goto(f"{app.url}/correct?candidate={candidate_id}")
    editor = f"ed-{candidate_id}-contact-0"
    pg.locator(f".st-key-{editor} [data-testid=data-grid-canvas]").wait_for()
    idle(pg)
    return editor


def candidates(app: App) -> list[Candidate]:
    with Session(app.engine) as s:
        return list(s.exec(select(Candidate).order_by(col(Candidate.id))))


# --- tests (in order: the first one uploads the CVs the others use) -----------------------------


def test_upload_review_correct_and_candidate_page(app: App, page) -> None:
    t0 = time.monotonic()
    upload(page, app, CVS)
    assert page.get_by_text("3 parsed").first.is_visible()
    shot(page, "upload")
    cands = candidates(app)
    assert len(cands) == 3
    most_uncertain = max(cands, key=lambda c: c.expected_corrections)

    page.goto(app.url)  # the queue is the default page
    page.get_by_role("button", name="Review the most uncertain CV").wait_for()
    idle(page)
    shot(page, "queue")
    grid = page.locator("[data-testid=stDataFrame]").first.bounding_box()
    page.mouse.click(grid["x"] + 15, grid["y"] + ROW_PX + ROW_PX / 2)  # select the first row
    page.wait_for_url(f"**/correct?candidate={most_uncertain.id}")
    editor = f"ed-{most_uncertain.id}-contact-0"
    page.locator(f".st-key-{editor} [data-testid=data-grid-canvas]").wait_for()
    idle(page)
    shot(page, "correct")

    edit_cell(page, editor, 0, "Alexandra Test-Edit")  # name
    edit_cell(page, editor, 3, "Rotterdam, Netherlands")  # location
    page.keyboard.press("Control+Enter")  # Save & next, straight from the grid
    page.get_by_text("2 changed, 0 accepted").wait_for()
    idle(page)
    assert f"candidate={most_uncertain.id}" not in page.url  # moved on to the next CV

    with Session(app.engine) as s:
        rows = s.exec(select(Correction).where(Correction.candidate_id == most_uncertain.id)).all()
        assert {(r.field_path, r.action, r.new_value, r.username) for r in rows} == {
            ("name", "edit", "Alexandra Test-Edit", LOCAL_ADMIN),
            ("location", "edit", "Rotterdam, Netherlands", LOCAL_ADMIN),
        }
        assert all(0 < r.seconds_spent < time.monotonic() - t0 for r in rows)
        audit = s.exec(
            select(AuditEvent)
            .where(AuditEvent.candidate_id == most_uncertain.id)
            .where(AuditEvent.action == "correct")
        ).all()
        assert len(audit) == 1 and audit[0].detail["changed"] == 2

    page.goto(f"{app.url}/candidate?candidate={most_uncertain.id}")
    page.get_by_role("heading", name="Alexandra Test-Edit").wait_for()
    idle(page)
    wait_cell(page, "Rotterdam, Netherlands")
    wait_cell(page, "corrected by a recruiter")  # its grid may draw after the first one
    cells = page.locator("td[id^=glide-cell]").all_inner_texts()
    assert "Rotterdam, Netherlands" in cells and "Alexandra Test-Edit" in cells
    assert "corrected by a recruiter" in cells
    shot(page, "candidate")


def test_concurrent_save_shows_conflict_and_merges(app: App, page) -> None:
    target = next(c for c in candidates(app) if c.status == "new")  # nobody touched it yet
    editor = open_correct(page, app, target.id)
    edit_cell(page, editor, 0, "Browser Name")  # only we change the name
    edit_cell(page, editor, 3, "Browser City")  # both change the location

    with Session(app.engine, expire_on_commit=False) as s:  # another recruiter saves first
        version = s.get(Candidate, target.id).version_id
        theirs = save_corrections(
            session=s,
            candidate_id=target.id,
            user="bob",
            expected_version=version,
            changes=[FieldChange("location", "edit", "Bob City")],
            seconds_spent=12.0,
        )
        assert theirs.ok

    page.keyboard.press("Control+Enter")
    page.get_by_text("Someone else saved this CV while you were working on it").wait_for()
    idle(page)
    wait_cell(page, "Bob City")
    body = page.locator("td[id^=glide-cell]").all_inner_texts()
    assert "bob" in body and "Bob City" in body  # who and what they changed
    shot(page, "conflict")

    page.get_by_role("button", name="Merge my 1 non-overlapping change").click()
    page.get_by_text("Their values were kept for location").wait_for()
    with Session(app.engine) as s:
        record = current_record(session=s, candidate_id=target.id)
        assert record.fields.name.value == "Browser Name"
        assert record.fields.location.value == "Bob City"
        mine = s.exec(
            select(Correction)
            .where(Correction.candidate_id == target.id)
            .where(Correction.username == LOCAL_ADMIN)
        ).all()
        assert [(c.field_path, c.new_value) for c in mine] == [("name", "Browser Name")]


def test_same_file_twice_is_reported_duplicate(app: App, page) -> None:
    before = len(candidates(app))
    upload(page, app, [CVS[0]])
    page.get_by_text("1 duplicate").first.wait_for()
    wait_cell(page, "duplicate")
    shot(page, "upload_duplicate")
    cells = page.locator("td[id^=glide-cell]").all_inner_texts()
    assert "duplicate" in cells
    assert "This file was uploaded before; it was not parsed again." in cells
    assert len(candidates(app)) == before
