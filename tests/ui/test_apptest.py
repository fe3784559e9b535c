"""Page logic and navigation with Streamlit's AppTest, against a temporary SQLite database.

AppTest cannot type into data editor cells, so the correction tests seed the editor's diff
(`edited_rows`) in session state, exactly as the browser would report it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from dbfixtures import TEST_PASSWORD, synthetic_cv
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support import ROOT

from correction.accounts import create_user
from correction.intake import ingest
from correction.review import FieldChange, save_corrections
from data.db import dispose_engines, get_engine, init_db
from data.models import AuditEvent, Candidate, Correction
from data.queries import create_batch, current_record
from data.store import FileStore
from parsing.model import ParsedCV
from settings import get_settings
from ui.nav import NO_ACCESS

APP = str(ROOT / "app.py")
TIMEOUT = 30
# three CVs: expected corrections 1.6 (two reds), 0.65 (one amber), 0.02 (all green)
A = b"<b>Ada</b> CV a"  # markup in a document must be shown as text, never rendered
CVS = {
    A: {"name": 0.3, "email": 0.99, "phone": 0.5, "skills[0]": 0.6},
    b"cv-b": {"name": 0.7, "email": 0.99, "location": 0.99, "skills[0]": 0.98},
    b"cv-c": {"name": 0.99, "email": 0.99},
}


# one account per role (named after it) plus the uploaders of `seeded`
ACCOUNTS = {r: r for r in ("recruiter", "hr_lead", "analyst", "admin")} | {
    "ann": "recruiter",
    "bob": "recruiter",
}


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fast_hashing: None) -> Iterator[str]:
    """A migrated SQLite database and file store the app reads from its settings."""
    url = f"sqlite:///{tmp_path / 'cvassist.sqlite'}"
    monkeypatch.setenv("CVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    init_db(get_engine(url))
    with Session(get_engine(url)) as s:
        for name, role in ACCOUNTS.items():
            create_user(session=s, username=name, role=role, password=TEST_PASSWORD)
    yield url
    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def session(env: str) -> Iterator[Session]:
    with Session(get_engine(env), expire_on_commit=False) as s:
        yield s


@pytest.fixture
def seeded(session: Session, tmp_path: Path) -> dict[bytes, int]:
    """Three parsed CVs in two batches by two uploaders; bytes → candidate id."""
    store = FileStore(tmp_path / "data" / "files")
    ids = {}
    for n, (data, conf) in enumerate(CVS.items()):
        user = "ann" if n < 2 else "bob"
        batch = create_batch(session=session, user=user)
        session.commit()
        result = ingest(
            session=session,
            name=f"cv{n}.txt",
            data=data,
            user=user,
            batch_id=batch.id,
            store=store,
            parser=lambda d, name, conf=conf: synthetic_cv(d, name, conf),
        )
        assert result.candidate_id is not None
        ids[data] = result.candidate_id
    return ids


def run(page: str | None = None, **state: object) -> AppTest:
    """The app signed in as state["user"] (default: the recruiter account)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    state.setdefault("user", "recruiter")
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


# --- navigation and roles -----------------------------------------------------------------------


# every role against every page: tests/correction/test_access.py (PAGE_MATRIX)


def test_role_without_pages_sees_a_sentence(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import nav

    # every role has a page today; take the analyst's away to see the deny-by-default sentence
    monkeypatch.setattr(
        nav, "PAGES", {k: p for k, p in nav.PAGES.items() if "analyst" not in p.roles}
    )
    at = run(user="analyst")
    assert [i.value for i in at.info] == [NO_ACCESS]


def test_page_checks_the_role_again(env: str) -> None:
    at = AppTest.from_file(str(ROOT / "ui" / "upload.py"), default_timeout=TIMEOUT)
    at.session_state["user"] = "hr_lead"
    at.run()
    assert [e.value for e in at.error] == ["You do not have access to this page."]
    assert not at.button  # stopped before any widget


@pytest.mark.parametrize(
    ("page", "title"),
    [
        (None, "Review queue"),
        ("ui/upload.py", "Upload CVs"),
        ("ui/correct.py", "Correct a CV"),
        ("ui/candidate.py", "Candidate"),
    ],
)
def test_every_page_renders_on_an_empty_database(env: str, page: str | None, title: str) -> None:
    at = run(page)
    assert at.title[0].value == title


# --- queue --------------------------------------------------------------------------------------


def test_queue_orders_by_expected_corrections_and_shows_metrics(
    seeded: dict[bytes, int],
) -> None:
    at = run()
    table = at.dataframe[0].value
    assert list(table["candidate"]) == [seeded[A], seeded[b"cv-b"], seeded[b"cv-c"]]
    row = table.iloc[0]
    assert (row["red"], row["amber"], row["green"]) == (2, 1, 1)
    assert [m.label for m in at.metric] == [
        "CVs reviewed",
        "Time per CV",
        "Fields changed per CV",
        "Accepted unchanged",
    ]


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({"q_red": "with red fields"}, [A]),
        ({"q_red": "without red fields"}, [b"cv-b", b"cv-c"]),
        ({"q_uploader": "bob"}, [b"cv-c"]),
        ({"q_status": ["reviewed"]}, []),
    ],
)
def test_queue_filters(seeded: dict[bytes, int], state: dict, expected: list[bytes]) -> None:
    at = run(**state)
    if not expected:
        assert "No CVs match these filters" in at.info[0].value
        return
    assert list(at.dataframe[0].value["candidate"]) == [seeded[k] for k in expected]


def test_queue_can_order_by_expected_information(seeded: dict[bytes, int]) -> None:
    at = run()
    at.radio(key="q_order").set_value("information").run()
    assert not at.exception
    # the same CVs; the seeded ones are text documents with one layout, so the most uncertain
    # still leads and the caption says which order is shown
    assert sorted(at.dataframe[0].value["candidate"]) == sorted(seeded.values())
    assert at.dataframe[0].value["candidate"].iloc[0] == seeded[A]
    assert "most informative to review first" in at.caption[0].value


def test_queue_filters_by_batch(seeded: dict[bytes, int], session: Session) -> None:
    cand = session.get(Candidate, seeded[b"cv-b"])
    batch_id = _batch_of(session, cand)
    at = run(q_batch=str(batch_id))
    assert list(at.dataframe[0].value["candidate"]) == [seeded[b"cv-b"]]


def _batch_of(session: Session, cand: Candidate | None) -> int:
    from data.models import Document

    assert cand is not None
    doc = session.get(Document, cand.document_id)
    assert doc is not None and doc.batch_id is not None
    return doc.batch_id


def test_review_button_opens_the_most_uncertain_cv(seeded: dict[bytes, int]) -> None:
    at = run()
    at.button(key="open_first").click().run()
    assert not at.exception
    assert at.session_state["candidate_id"] == seeded[A]
    assert at.title[0].value == "Correct: value of name"


# --- correct ------------------------------------------------------------------------------------


def _open(cid: int) -> AppTest:
    at = run("ui/correct.py", candidate_id=cid)
    assert at.title[0].value.startswith("Correct:")
    return at


def _edit(at: AppTest, cid: int, rows: dict[int, dict]) -> None:
    at.session_state[f"ed-{cid}-contact-0"] = {
        "edited_rows": rows,
        "added_rows": [],
        "deleted_rows": [],
    }


def test_saving_writes_one_row_per_decision_and_moves_on(
    seeded: dict[bytes, int], session: Session
) -> None:
    cid = seeded[A]
    at = _open(cid)
    # contact rows: name, email, phone, location, ...; fix the name, reject the phone, accept email
    _edit(at, cid, {0: {"value": "Ada Lovelace"}, 1: {"decision": "accept"}, 2: {"value": ""}})
    at.button(key="save").click().run()
    assert not at.exception
    rows = session.exec(select(Correction).where(Correction.candidate_id == cid)).all()
    assert sorted((r.field_path, r.action, r.new_value) for r in rows) == [
        ("email", "accept", "value of email"),
        ("name", "edit", "Ada Lovelace"),
        ("phone", "reject", None),
    ]
    assert all(r.username == "recruiter" and r.seconds_spent >= 0 for r in rows)
    events = session.exec(
        select(AuditEvent).where(AuditEvent.candidate_id == cid, AuditEvent.action == "correct")
    ).all()
    assert len(events) == 1
    assert at.session_state["candidate_id"] == seeded[b"cv-b"]  # the next CV in the queue
    assert "2 changed, 1 accepted" in at.success[0].value


def test_accept_all_green_then_save(seeded: dict[bytes, int], session: Session) -> None:
    cid = seeded[b"cv-b"]
    at = _open(cid)
    at.button(key="accept_green").click().run()
    assert "Marked 3 green fields as accepted" in at.info[0].value
    at.button(key="save").click().run()
    rows = session.exec(select(Correction).where(Correction.candidate_id == cid)).all()
    assert sorted((r.field_path, r.action) for r in rows) == [
        ("email", "accept"),
        ("location", "accept"),
        ("skills[0]", "accept"),
    ]


def test_stale_version_shows_the_conflict_and_merges(
    seeded: dict[bytes, int], session: Session
) -> None:
    cid = seeded[A]
    at = _open(cid)
    _edit(at, cid, {0: {"value": "Mine"}, 2: {"value": "+44 20 7946 0000"}})
    other = save_corrections(
        session=session,
        candidate_id=cid,
        user="bob",
        expected_version=1,
        changes=[FieldChange("phone", "edit", "+1 555 0100")],
        seconds_spent=5.0,
    )
    assert other.ok
    at.button(key="save").click().run()
    assert not at.exception
    assert "Someone else saved this CV" in at.error[0].value
    theirs = at.dataframe[0].value
    assert list(theirs[["who", "field", "after"]].itertuples(index=False, name=None)) == [
        ("bob", "phone", "+1 555 0100")
    ]
    at.button(key="merge").click().run()
    assert not at.exception
    assert "Their values were kept for phone" in at.success[0].value
    record = current_record(session=session, candidate_id=cid)
    assert record.fields.name.value == "Mine"  # ours, merged
    assert record.fields.phone.value == "+1 555 0100"  # theirs, kept


ENTRIES_CV = {
    "name": 0.9,
    "experience[0].title": 0.9,
    "experience[0].company": 0.9,
    "experience[1].title": 0.8,
    "experience[1].start": 0.8,
    "experience[2].company": 0.7,
}


@pytest.fixture
def with_entries(session: Session, tmp_path: Path) -> int:
    """A CV with three experience entries: (title, company), (title, start), (company)."""
    result = ingest(
        session=session,
        name="entries.txt",
        data=b"entries cv",
        user="ann",
        batch_id=None,
        store=FileStore(tmp_path / "data" / "files"),
        parser=lambda d, name: synthetic_cv(d, name, ENTRIES_CV),
    )
    assert result.candidate_id is not None
    return result.candidate_id


def _experience(session: Session, cid: int) -> list[tuple[str | None, ...]]:
    record = current_record(session=session, candidate_id=cid)
    return [
        tuple(getattr(e, c).value if getattr(e, c) else None for c in ("title", "company", "start"))
        for e in record.fields.experience or []
    ]


def test_entries_are_reordered_and_merged_on_save(with_entries: int, session: Session) -> None:
    cid = with_entries
    at = _open(cid)
    assert at.button(key=f"up-{cid}-experience-0").disabled  # the first entry cannot go up
    at.button(key=f"down-{cid}-experience-0").click().run()  # order: 1, 0, 2
    assert not at.exception
    captions = [c.value for c in at.caption if c.value.startswith("Experience")]
    assert captions[0].startswith("Experience 1: value of experience[1].title")
    at.button(key=f"mergeup-{cid}-experience-2").click().run()  # 2 into 0 (now before it)
    assert not at.exception
    assert "will be merged into the one before it" in at.info[0].value
    assert not [b for b in at.button if b.key == f"up-{cid}-experience-2"]  # merged away: hidden
    at.button(key="save").click().run()
    assert not at.exception
    # entry 0 keeps its company over entry 2's; entry 1 now comes first
    assert _experience(session, cid) == [
        ("value of experience[1].title", None, "value of experience[1].start"),
        ("value of experience[0].title", "value of experience[0].company", None),
    ]
    rows = session.exec(select(Correction).where(Correction.candidate_id == cid)).all()
    assert ("experience[2]", "reject") in [(r.field_path, r.action) for r in rows]
    assert {r.username for r in rows} == {"recruiter"}
    events = session.exec(
        select(AuditEvent).where(AuditEvent.candidate_id == cid, AuditEvent.action == "correct")
    ).all()
    assert len(events) == 1
    reopened = _open(cid)  # a fresh session shows the saved order
    captions = [c.value for c in reopened.caption if c.value.startswith("Experience")]
    assert captions[0].startswith("Experience 1: value of experience[1].title")


def test_a_missing_value_is_picked_from_the_document(
    seeded: dict[bytes, int], session: Session
) -> None:
    cid = seeded[A]  # location is missing; the document's one line is "<b>Ada</b> CV a"
    at = _open(cid)
    assert not [s for s in at.selectbox if s.key == f"pick-field-{cid}"]  # off until asked for
    at.toggle(key=f"pick-on-{cid}").set_value(True).run()
    assert at.selectbox(key=f"pick-field-{cid}").value == "location"  # first missing field
    at.text_input(key=f"pick-find-{cid}").input("ada").run()
    at.selectbox(key=f"pick-line-{cid}").select(0).run()
    assert at.text_input(key=f"pick-value-{cid}").value == "<b>Ada</b> CV a"  # pre-filled
    at.text_input(key=f"pick-value-{cid}").input("Ada").run()  # keep part of the line
    at.button(key=f"pick-use-{cid}").click().run()
    assert not at.exception
    assert "Filled location from the document" in at.info[0].value
    at.button(key="save").click().run()
    assert not at.exception
    row = session.exec(
        select(Correction).where(
            Correction.candidate_id == cid, Correction.field_path == "location"
        )
    ).one()
    assert (row.action, row.old_value, row.new_value) == ("add", None, "Ada")
    assert row.new_source == {"page": 1, "start": 3, "end": 6, "text": "Ada"}
    record = current_record(session=session, candidate_id=cid)
    assert record.fields.location is not None and record.fields.location.value == "Ada"


def test_unknown_candidate_is_a_sentence(env: str) -> None:
    at = run("ui/correct.py", candidate_id=999)
    assert "no longer exists" in at.warning[0].value


# --- candidate ----------------------------------------------------------------------------------


def test_candidate_page_shows_corrected_values_and_history(
    seeded: dict[bytes, int], session: Session
) -> None:
    cid = seeded[b"cv-c"]
    save_corrections(
        session=session,
        candidate_id=cid,
        user="ann",
        expected_version=1,
        changes=[FieldChange("name", "edit", "Grace Hopper")],
        seconds_spent=3.0,
    )
    at = run("ui/candidate.py", candidate_id=cid)
    assert at.title[0].value == "Grace Hopper"
    contact = at.dataframe[0].value
    name = contact[contact["field"] == "name"].iloc[0]
    assert (name["value"], name["source"]) == ("Grace Hopper", "corrected by a recruiter")
    history = at.dataframe[-1].value
    assert list(history[["who", "field", "action", "after"]].iloc[0]) == [
        "ann",
        "name",
        "changed",
        "Grace Hopper",
    ]
    views = session.exec(
        select(AuditEvent).where(AuditEvent.candidate_id == cid, AuditEvent.action == "view")
    ).all()
    assert views  # opening the record is audited
    exports = session.exec(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert exports == []  # the file is fetched (and audited) only when downloaded


def test_parse_warnings_are_told_on_the_correction_page(session: Session, tmp_path: Path) -> None:
    """A parse made without the language model, or read by OCR, says so where its values are
    checked: its confidences mean less than usual."""
    from parsing.nlp import DEGRADED_WARNING
    from parsing.pipeline import OCR_NOTE, WARNING_NOTES, warning_notes
    from parsing.readers.ocr import OCR_FAILED_WARNING

    batch = create_batch(session=session, user="ann")
    session.commit()
    warned = [DEGRADED_WARNING, "ocr: 1 page recognised", OCR_FAILED_WARNING + "2, 3"]

    def scan(data: bytes, name: str) -> ParsedCV:
        cv = synthetic_cv(data, name, {"name": 0.4, "skills[0]": 0.7})
        return cv.model_copy(update={"warnings": warned})

    result = ingest(
        session=session, name="scan.pdf", data=b"scanned cv", user="ann", batch_id=batch.id,
        store=FileStore(tmp_path / "data" / "files"), parser=scan,
    )  # fmt: skip
    assert result.candidate_id is not None
    notes = warning_notes(warned)
    assert notes[:2] == [WARNING_NOTES[DEGRADED_WARNING], OCR_NOTE] and "(2, 3)" in notes[2]
    at = _open(result.candidate_id)
    assert [i.value for i in at.info] == notes


def test_document_preview_of_a_text_cv(seeded: dict[bytes, int]) -> None:
    # synthetic spans point at chars 0-5 of the text: the page highlights them, escaped
    at = _open(seeded[A])
    html = "".join(m.value for m in at.markdown)
    assert '<mark title="name"' in html
    assert "&lt;b&gt;Ad</mark>a&lt;/b&gt; CV a" in html  # the value's span, escaped
    assert "<b>" not in html


def test_the_reason_a_parse_is_partial_heads_the_correction_page(
    session: Session, tmp_path: Path
) -> None:
    """A partial parse (line breaks lost, nothing recognised) tells the recruiter why, where the
    fields are corrected, not only in the upload table."""
    from parsing.model import Status
    from parsing.pipeline import FLATTENED

    batch = create_batch(session=session, user="ann")
    session.commit()

    def partial(data: bytes, name: str) -> ParsedCV:
        cv = synthetic_cv(data, name, {"name": 0.4, "skills[0]": 0.7})
        return cv.model_copy(update={"status": Status.PARTIAL, "message": FLATTENED})

    result = ingest(
        session=session, name="flat.txt", data=b"flat cv", user="ann", batch_id=batch.id,
        store=FileStore(tmp_path / "data" / "files"), parser=partial,
    )  # fmt: skip
    assert result.candidate_id is not None
    at = _open(result.candidate_id)
    assert [w.value for w in at.warning] == [FLATTENED]
    clean = ingest(
        session=session, name="ok.txt", data=b"ok cv", user="ann", batch_id=batch.id,
        store=FileStore(tmp_path / "data" / "files"),
        parser=lambda d, n: synthetic_cv(d, n, {"name": 0.9}),
    )  # fmt: skip
    assert clean.candidate_id is not None
    assert not _open(clean.candidate_id).warning
