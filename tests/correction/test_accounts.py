"""Local accounts: argon2 hashes, validation, sign-in with lockout, admin management, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from dbfixtures import TEST_PASSWORD
from sqlmodel import select

from correction.access import SYSTEM_USER, AccessDenied, authorize
from correction.accounts import (
    BAD_CREDENTIALS,
    LOCKED,
    MAX_FAILURES,
    AccountError,
    create_user,
    disable_user,
    enable_user,
    list_users,
    set_role,
    sign_in,
    sign_in_external,
)
from data.models import AuditEvent, UserAccount, utcnow


def test_password_is_stored_as_argon2_hash_and_sign_in_is_audited(session) -> None:
    create_user(session=session, username="Ann", role="recruiter", password="s3cret-pass")
    row = session.exec(select(UserAccount)).one()
    assert row.username == "ann"
    assert row.password_hash.startswith("$argon2id$")
    assert "s3cret-pass" not in row.password_hash
    assert sign_in(session=session, username="ann", password="s3cret-pass").ok
    bad = sign_in(session=session, username="ann", password="wrong password")
    assert not bad.ok and bad.message == BAD_CREDENTIALS
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in")).all()
    assert [e.detail["ok"] for e in events] == [True, False]
    assert all("s3cret" not in str(e.detail) and "wrong" not in str(e.detail) for e in events)


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(session, make_user) -> None:
    make_user("recruiter")
    assert sign_in(session=session, username="nobody", password="x" * 9).message == BAD_CREDENTIALS
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "sign_in")).one()
    assert event.username == "?"  # the typed name may be a mistyped password


@pytest.mark.parametrize(
    ("username", "role", "password"),
    [
        ("a", "recruiter", TEST_PASSWORD),  # too short a name
        ("system", "admin", TEST_PASSWORD),  # reserved
        ("bob smith", "recruiter", TEST_PASSWORD),  # space
        ("bob", "superuser", TEST_PASSWORD),  # no such role
        ("bob", "recruiter", "short"),  # password under 8 characters
    ],
)
def test_bad_account_requests_are_refused_with_a_sentence(session, username, role, password):
    with pytest.raises(AccountError) as e:
        create_user(session=session, username=username, role=role, password=password)
    assert str(e.value).endswith(".")
    assert session.exec(select(UserAccount)).all() == []


def test_duplicate_user_name_is_refused(session, make_user) -> None:
    make_user("recruiter", "ann")
    with pytest.raises(AccountError, match="already"):
        create_user(session=session, username="ann", role="admin", password=TEST_PASSWORD)


def test_lockout_after_repeated_failures_even_for_the_right_password(session, make_user) -> None:
    make_user("recruiter", "ann")
    now = utcnow()
    for i in range(MAX_FAILURES):
        result = sign_in(session=session, username="ann", password="guess", now=now)
        assert result.message == (LOCKED if i == MAX_FAILURES - 1 else BAD_CREDENTIALS)
    locked = sign_in(session=session, username="ann", password=TEST_PASSWORD, now=now)
    assert not locked.ok and locked.message == LOCKED
    later = now + timedelta(minutes=16)
    assert sign_in(session=session, username="ann", password=TEST_PASSWORD, now=later).ok


def test_role_change_and_disable_take_effect_at_once(session, make_user) -> None:
    make_user("admin", "boss")
    make_user("recruiter", "ann")
    assert authorize(session=session, user="ann", permission="review.correct") == "recruiter"
    set_role(session=session, user="boss", username="ann", role="analyst")
    with pytest.raises(AccessDenied):
        authorize(session=session, user="ann", permission="review.correct")
    assert authorize(session=session, user="ann", permission="export.run") == "analyst"
    disable_user(session=session, user="boss", username="ann")
    with pytest.raises(AccessDenied, match="sign in"):
        authorize(session=session, user="ann", permission="export.run")
    assert not sign_in(session=session, username="ann", password=TEST_PASSWORD).ok
    enable_user(session=session, user="boss", username="ann")
    assert sign_in(session=session, username="ann", password=TEST_PASSWORD).ok
    changes = session.exec(select(AuditEvent).where(AuditEvent.action == "account")).all()
    assert [e.username for e in changes][-3:] == ["boss", "boss", "boss"]


def test_only_admins_manage_users(session, make_user) -> None:
    make_user("hr_lead", "lead")
    with pytest.raises(AccessDenied):
        create_user(session=session, username="eve", role="admin", password="x" * 10, user="lead")
    with pytest.raises(AccessDenied):
        list_users(session=session, user="lead")
    assert [u.username for u in list_users(session=session, user=SYSTEM_USER)] == ["lead"]


def test_oidc_identity_maps_to_an_account_by_email(session) -> None:
    create_user(
        session=session, username="ann", role="hr_lead", password=None, email="Ann@Example.org"
    )
    assert sign_in_external(session=session, email="ann@example.org").account.role == "hr_lead"
    assert not sign_in_external(session=session, email="mallory@example.org").ok
    assert not sign_in(session=session, username="ann", password="").ok  # no local password


def _cli(argv: list[str], capsys, monkeypatch, stdin: str = "") -> tuple[int, str, str]:
    import io

    import cli

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    out = capsys.readouterr()
    return int(exit_.value.code or 0), out.out, out.err


def test_cli_bootstraps_the_first_admin_and_manages_users(
    app_env, session, capsys, monkeypatch
) -> None:
    code, out, _ = _cli(
        ["users", "create", "--username", "Root", "--role", "admin", "--password-stdin"],
        capsys,
        monkeypatch,
        stdin="a long enough secret\n",
    )
    assert (code, out.strip()) == (0, "create: root")
    assert sign_in(session=session, username="root", password="a long enough secret").ok
    _cli(
        ["users", "create", "--username", "ann", "--role", "recruiter", "--password-stdin"],
        capsys,
        monkeypatch,
        stdin="another secret!\n",
    )
    assert (
        _cli(["users", "set-role", "--username", "ann", "--role", "hr_lead"], capsys, monkeypatch)[
            0
        ]
        == 0
    )
    assert _cli(["users", "disable", "--username", "ann"], capsys, monkeypatch)[0] == 0
    code, out, _ = _cli(["users", "list"], capsys, monkeypatch)
    assert out.splitlines() == ["ann\thr_lead\tdisabled\t", "root\tadmin\tactive\t"]
    code, _, err = _cli(
        ["users", "create", "--username", "bob", "--role", "recruiter", "--password-stdin"],
        capsys,
        monkeypatch,
        stdin="short\n",
    )
    assert code == 1 and "at least 8 characters" in err
    code, _, err = _cli(["users", "disable", "--username", "ghost"], capsys, monkeypatch)
    assert code == 1 and "no user called ghost" in err
