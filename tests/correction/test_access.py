"""The role matrix: every role against every user-invoked workflow in correction/ and every page.

Adding a workflow: one `S(...)` row in SERVICES (arguments other than session/user/store/parser;
CID and DOC stand for a stored candidate and its document), or one line in NOT_USER_INVOKED with
the reason. A public function of correction/ in neither fails `test_every_workflow_is_listed`.
Adding a page: one line in PAGE_MATRIX.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from dbfixtures import TEST_PASSWORD
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest
from support import ROOT

import correction
from correction import (
    accounts,
    dashboard,
    export,
    intake,
    lines,
    models,
    preview,
    privacy,
    queue,
    review,
)
from correction.access import PERMISSIONS, ROLES, SYSTEM_USER, AccessDenied, authorize, can
from correction.bands import score_fields
from correction.review import Conflict, FieldChange
from data.export import ExportFilters
from data.models import AuditEvent, utcnow
from data.queries import NotFound, add_parse_result, get_or_create_document, save_candidate
from learning.registry import RegistryError
from ui.nav import PAGES, allowed

CID, DOC = object(), object()  # stand-ins for the stored candidate and its document


@dataclass(frozen=True)
class S:
    """One user-invoked workflow, the permission it needs, and the arguments to call it with."""

    fn: Callable[..., Any]
    permission: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    ok_errors: tuple[type[Exception], ...] = ()  # errors after authorization (e.g. no such row)

    def __init__(self, fn, permission, ok_errors=(), **kwargs) -> None:
        object.__setattr__(self, "fn", fn)
        object.__setattr__(self, "permission", permission)
        object.__setattr__(self, "kwargs", kwargs)
        object.__setattr__(self, "ok_errors", ok_errors)

    @property
    def name(self) -> str:
        return f"{self.fn.__module__}.{self.fn.__name__}"


def _changes(_: object = None) -> list[FieldChange]:
    return [FieldChange("name", "accept")]


SERVICES: list[S] = [
    S(queue.queue_view, "review.view", filters=queue.QueueFilters()),
    S(queue.next_candidate, "review.view"),
    S(queue.information_order, "review.view"),
    S(review.open_candidate, "review.view", candidate_id=CID),
    S(review.download_original, "review.view", candidate_id=CID),
    S(preview.document_preview, "review.view", document_id=DOC),
    S(lines.document_lines, "review.correct", document_id=DOC),
    S(
        review.save_corrections,
        "review.correct",
        candidate_id=CID,
        expected_version=1,
        changes=_changes,
        seconds_spent=1.0,
    ),
    S(
        review.merge_after_conflict,
        "review.correct",
        seconds_spent=1.0,
        conflict=lambda c: Conflict(c.cid, 1, 1, [], _changes()),
    ),
    S(intake.ingest, "upload", name="new.txt", data=b"another cv", batch_id=None),
    S(intake.store_upload, "upload", name="new.txt", data=b"another cv", batch_id=None),
    S(intake.intake_batch, "upload", files=lambda c: [("new.txt", b"another cv")]),
    S(intake.retry_parse, "upload", document_id=DOC),
    S(
        accounts.create_user,
        "users.manage",
        username="newbie",
        role="recruiter",
        password="long enough",
    ),
    S(accounts.set_role, "users.manage", username="target", role="analyst"),
    S(accounts.disable_user, "users.manage", username="target"),
    S(accounts.enable_user, "users.manage", username="target"),
    S(accounts.reset_password, "users.manage", username="target", password="a new secret"),
    S(accounts.list_users, "users.manage"),
    S(privacy.erase_candidate, "privacy.erase", candidate_id=CID, reason="other"),
    S(privacy.subject_access, "privacy.subject_access", candidate_id=CID),
    S(privacy.purge_expired, "privacy.purge"),
    S(
        dashboard.dashboard_data,
        "dashboard.view",
        since=lambda c: utcnow() - timedelta(days=7),
        until=lambda c: utcnow(),
        check=False,
    ),
    S(dashboard.acknowledge_alert, "alerts.acknowledge", ok_errors=(NotFound,), alert_id=999),
    S(export.export_preview, "export.run", filters=ExportFilters()),
    S(
        export.export,
        "export.run",
        fmt="csv",
        filters=ExportFilters(),
        pseudonymise=True,
        out=lambda c: io.BytesIO(),
    ),
    S(export.prepare_download, "export.run", fmt="csv", filters=ExportFilters(), pseudonymise=True),
    S(models.model_history, "models.train"),
    S(models.models_page, "models.train", ok_errors=(RegistryError,)),
    S(models.reliability, "models.train", ok_errors=(RegistryError,)),
    S(models.training_status, "models.train"),
    S(models.promote_model, "models.promote", ok_errors=(RegistryError,), version="nope"),
    S(models.rollback_model, "models.promote", ok_errors=(RegistryError,)),
]

# Public functions of correction/ that no signed-in person calls directly, and why.
NOT_USER_INVOKED: dict[str, str] = {
    "correction.access.can": "pure rule lookup used by authorize",
    "correction.access.role_of": "the lookup behind authorize",
    "correction.access.authorize": "the check itself",
    "correction.accounts.get_account": "lookup used inside account workflows",
    "correction.accounts.count_admins": "bootstrap check, no personal data",
    "correction.accounts.verify_password": "part of sign_in",
    "correction.accounts.sign_in": "before sign-in there is no user; audited, throttled",
    "correction.accounts.sign_in_external": "OIDC sign-in: identity checked by the provider",
    "correction.accounts.sign_in_local_admin": "single-user mode on localhost only",
    "correction.accounts.sign_out": "records the user's own sign-out",
    "correction.privacy.purge_if_due": "the daily purge, run by the app as SYSTEM_USER",
    "correction.lines.pick_source": "pure function on a line the user already holds",
    "correction.intake.warm_up": "worker start-up, no data",
    "correction.intake.job_lease": "setting lookup",
    "correction.intake.process_job": "worker step after an authorized upload",
    "correction.intake.job_outcome": "worker/progress step after an authorized upload",
    "correction.intake.run_claimed": "worker step after an authorized upload",
    "correction.models.run_training": "long job; start_training (row below) is the entry",
    "correction.models.start_training": "spawns `cvassist train`; denied roles tested below",
    "correction.models.status_path": "file path helper",
    "correction.models.train_main": "operator CLI (SYSTEM_USER)",
    "correction.models.models_main": "operator CLI (SYSTEM_USER)",
    "correction.dashboard.check_drift": "cron / operator (SYSTEM_USER)",
    "correction.dashboard.drift_check_main": "operator CLI (SYSTEM_USER)",
    "correction.dashboard.review_demo": "demo seeding by the operator",
    "correction.dashboard.review_demo_main": "operator CLI (SYSTEM_USER)",
    "correction.dashboard.trend_with_limits": "pure computation on authorized data",
    "correction.dashboard.field_totals": "pure computation on authorized data",
    "correction.dashboard.calibration_by_group": "pure computation on authorized data",
    "correction.export.pseudonym_secret": "key loader used inside export",
    "correction.export.file_name": "pure helper",
    "correction.export.cli_filters": "operator CLI argument parsing",
    "correction.export.main": "operator CLI (SYSTEM_USER)",
    "correction.importer.main": "operator CLI; authorizes the named --user for upload",
    "correction.importer.load_demo": "operator CLI (SYSTEM_USER)",
    "correction.importer.describe": "output formatting",
    "correction.admin.read_password": "operator CLI",
    "correction.admin.users_main": "operator CLI (SYSTEM_USER)",
    "correction.admin.purge_main": "operator CLI (SYSTEM_USER)",
    "correction.admin.erase_main": "operator CLI (SYSTEM_USER)",
    "correction.admin.subject_access_main": "operator CLI (SYSTEM_USER)",
    "correction.worker.*": "background workers (SYSTEM_USER)",
    "correction.simulate.*": "offline learning-curve simulation (operator)",
    "correction.bands.*": "pure band computation",
    "correction.export_rows.*": "row shaping inside export",
    "correction.export_writers.*": "file writers inside export",
}


def _public_functions() -> list[str]:
    names = []
    for info in pkgutil.iter_modules(correction.__path__):
        mod = importlib.import_module(f"correction.{info.name}")
        for name, obj in vars(mod).items():
            if inspect.isfunction(obj) and obj.__module__ == mod.__name__ and name[0] != "_":
                names.append(f"{mod.__name__}.{name}")
    return names


def test_every_workflow_is_listed() -> None:
    listed = {s.name for s in SERVICES} | set(NOT_USER_INVOKED)
    missing = [
        n
        for n in _public_functions()
        if n not in listed and f"{n.rsplit('.', 1)[0]}.*" not in listed
    ]
    assert missing == [], "add a row to SERVICES (or NOT_USER_INVOKED with a reason)"
    assert all(s.permission in PERMISSIONS for s in SERVICES)


def test_permission_table() -> None:
    """The issue's table, spelled out: a change to PERMISSIONS must change this test too."""
    expected = {
        "recruiter": {"upload", "review.view", "review.correct"},
        "hr_lead": {
            "review.view",
            "dashboard.view",
            "alerts.acknowledge",
            "models.train",
            "models.promote",
            "audit.view",
        },
        "analyst": {"export.run"},
        "admin": set(PERMISSIONS),
    }
    for role in ROLES:
        assert {p for p in PERMISSIONS if can(role, p)} == expected[role], role
    assert all(can("system", p) for p in PERMISSIONS)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated SQLite file; each test gets a copy (migrating takes longer than a test)."""
    from data.db import init_db, make_engine

    path = tmp_path_factory.mktemp("template") / "cvassist.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    init_db(engine)
    engine.dispose()
    return path


@pytest.fixture
def db_url(tmp_path, migrated: Path) -> str:
    """SQLite only here: authorization does not depend on the backend (the other tests run on
    both), and the matrix is 6 callers x every workflow."""
    target = tmp_path / "db" / "cvassist.sqlite"
    target.parent.mkdir()
    shutil.copy(migrated, target)
    return f"sqlite:///{target}"


@dataclass
class Ctx:
    session: Session
    user: str
    cid: int
    doc: int


def _call(s: S, ctx: Ctx, store, parser) -> Any:
    params = inspect.signature(s.fn).parameters
    kwargs = {"session": ctx.session, "user": ctx.user}
    if "store" in params:
        kwargs["store"] = store
    if "parser" in params:
        kwargs["parser"] = parser
    for k, v in s.kwargs.items():
        kwargs[k] = ctx.cid if v is CID else ctx.doc if v is DOC else v(ctx) if callable(v) else v
    return s.fn(**kwargs)


CALLERS = [*ROLES, "stranger", "disabled"]


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("s", SERVICES, ids=lambda s: s.name.removeprefix("correction."))
def test_role_matrix(
    s: S, caller: str, app_env, session, store, fake_parser, make_user, make_cv
) -> None:
    uploader = make_user("recruiter", "uploader")
    make_user("recruiter", "target")
    doc, _ = get_or_create_document(
        session=session, data=b"cv", name="cv.txt", user=uploader, batch_id=None, store=store
    )
    parsed = make_cv(b"cv", "cv.txt", {"name": 0.5, "email": 0.9})
    result = add_parse_result(session=session, document_id=doc.id, parsed=parsed)
    cand = save_candidate(
        session=session,
        document_id=doc.id,
        parse_result_id=result.id,
        scores=score_fields(f for _, f in parsed.fields.iter_fields()),
        display_name="A. Person",
    )
    session.commit()
    if caller in ROLES:
        make_user(caller, f"the-{caller}")
        user = f"the-{caller}"
    elif caller == "disabled":
        make_user("admin", "gone")
        accounts.disable_user(session=session, user=SYSTEM_USER, username="gone")
        user = "gone"
    else:
        user = "stranger"  # no account at all
    ctx = Ctx(session, user, cand.id, doc.id)
    before = len(session.exec(select(AuditEvent)).all())
    if caller in ROLES and can(caller, s.permission):
        try:
            _call(s, ctx, store, fake_parser({"name": 0.6}))
        except s.ok_errors:
            pass
    else:
        with pytest.raises(AccessDenied) as e:
            _call(s, ctx, store, fake_parser({"name": 0.6}))
        assert str(e.value).endswith(".")  # a sentence for the user
        session.rollback()
        assert len(session.exec(select(AuditEvent)).all()) == before  # nothing happened


def test_start_training_is_denied_without_models_train(session, make_user) -> None:
    for role in ROLES:
        if not can(role, "models.train"):
            user = make_user(role)
            with pytest.raises(AccessDenied):
                models.start_training(session=session, user=user)


def test_authorize_denies_unknown_permissions(session, make_user) -> None:
    admin = make_user("admin")
    with pytest.raises(ValueError):
        authorize(session=session, user=admin, permission="review.delete-everything")


# --- pages ---------------------------------------------------------------------------------------

PAGE_MATRIX: dict[str, set[str]] = {  # page → roles that see it (and may open it)
    "queue": {"recruiter", "hr_lead", "admin"},
    "upload": {"recruiter", "admin"},
    "correct": {"recruiter", "admin"},
    "candidate": {"recruiter", "hr_lead", "admin"},
    "dashboard": {"hr_lead", "admin"},
    "models": {"hr_lead", "admin"},
    "export": {"analyst", "admin"},
    "users": {"admin"},
    "privacy": {"admin"},
}


def test_every_page_is_in_the_matrix() -> None:
    assert set(PAGES) <= set(PAGE_MATRIX), "add the new page to PAGE_MATRIX"
    for role in ROLES:
        assert set(allowed(role)) == {p for p in PAGES if role in PAGE_MATRIX[p]}, role
    assert allowed("nobody") == []


@pytest.fixture
def app_db(tmp_path, monkeypatch, fast_hashing) -> str:
    """Settings pointing at a migrated SQLite database with one account per role."""
    from data.db import dispose_engines, get_engine, init_db
    from settings import get_settings

    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("CVASSIST_DATABASE_URL", url)
    monkeypatch.setenv("CVASSIST_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CVASSIST_AUTH", "local")
    monkeypatch.setenv("CVASSIST_EMBEDDED_WORKERS", "0")
    get_settings.cache_clear()
    init_db(get_engine(url))
    with Session(get_engine(url)) as s:
        for role in ROLES:
            accounts.create_user(session=s, username=role, role=role, password=TEST_PASSWORD)
    yield url
    dispose_engines()
    get_settings.cache_clear()


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGE_MATRIX))
def test_every_page_checks_the_role_again(app_db: str, page: str, role: str) -> None:
    """Opening a page's script directly (as a stale link would) is stopped for other roles."""
    if page not in PAGES:
        pytest.skip(f"the {page} page does not exist yet")
    at = AppTest.from_file(str(ROOT / PAGES[page].script), default_timeout=60)
    at.session_state["user"] = role
    at.run()
    denied = [e.value for e in at.error if e.value == "You do not have access to this page."]
    if role in PAGE_MATRIX[page]:
        assert not at.exception and not denied, (page, role)
    else:
        assert denied, (page, role)
        assert not at.dataframe and not at.button and not at.text_input  # stopped first
