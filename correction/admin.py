"""Operator commands (`cvassist users|purge|erase|subject-access`), acting as SYSTEM_USER.

Each prints one line per result and returns an exit code: 0 done, 1 refused with a sentence on
stderr (bad input, unknown user or candidate). Passwords are read from stdin or a hidden prompt,
never from the command line (it would end up in the shell history and the process list).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from correction.access import SYSTEM_USER
from correction.accounts import (
    AccountError,
    create_user,
    disable_user,
    enable_user,
    list_users,
    reset_password,
    set_role,
)
from correction.privacy import erase_candidate, purge_expired, subject_access
from data.db import init_db, session_scope
from data.queries import NotFound


def _fail(message: str) -> int:
    print(f"cvassist: {message}", file=sys.stderr)
    return 1


def read_password(ns: argparse.Namespace) -> str:
    """The new password: one line of stdin with --password-stdin, else typed twice (hidden)."""
    if ns.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat the password: "):
        raise AccountError("The two passwords differ.")
    return first


def users_main(ns: argparse.Namespace) -> int:
    """`cvassist users create|list|set-role|disable|enable|reset-password`."""
    init_db()
    with session_scope() as session:
        try:
            if ns.action == "list":
                for u in list_users(session=session, user=SYSTEM_USER):
                    state = "disabled" if u.disabled else "active"
                    print(f"{u.username}\t{u.role}\t{state}\t{u.email or ''}")
                return 0
            if not ns.username:
                return _fail("name the account with --username.")
            if ns.action == "create":
                if not ns.role:
                    return _fail("give the new account a --role.")
                password = None if ns.oidc_only else read_password(ns)
                create_user(
                    session=session,
                    username=ns.username,
                    role=ns.role,
                    password=password,
                    email=ns.email,
                )
            elif ns.action == "set-role":
                if not ns.role:
                    return _fail("give the new --role.")
                set_role(session=session, user=SYSTEM_USER, username=ns.username, role=ns.role)
            elif ns.action == "disable":
                disable_user(session=session, user=SYSTEM_USER, username=ns.username)
            elif ns.action == "enable":
                enable_user(session=session, user=SYSTEM_USER, username=ns.username)
            else:
                password = read_password(ns)
                reset_password(
                    session=session, user=SYSTEM_USER, username=ns.username, password=password
                )
        except AccountError as e:
            return _fail(str(e))
    print(f"{ns.action}: {ns.username.strip().lower()}")
    return 0


def purge_main(ns: argparse.Namespace) -> int:
    """`cvassist purge [--dry-run]`: apply the retention period now."""
    init_db()
    with session_scope() as session:
        report = purge_expired(session=session, user=SYSTEM_USER, dry_run=ns.dry_run)
    verb = "would delete" if report.dry_run else "deleted"
    print(
        f"{verb} {report.candidates} candidates and {report.documents} unparsed documents "
        f"inactive since {report.cutoff:%Y-%m-%d}; rows {sum(report.rows.values())}, "
        f"files {report.files_deleted + report.orphan_files}"
    )
    if report.models_flagged:
        print(f"models to retrain: {', '.join(report.models_flagged)}")
    return 0


def erase_main(ns: argparse.Namespace) -> int:
    """`cvassist erase CANDIDATE_ID --reason R`: erase one candidate everywhere."""
    init_db()
    with session_scope() as session:
        try:
            report = erase_candidate(
                session=session, user=SYSTEM_USER, candidate_id=ns.candidate_id, reason=ns.reason
            )
        except NotFound:
            return _fail(f"there is no candidate {ns.candidate_id}.")
    print(
        f"erased candidate {report.candidate_id}: {sum(report.rows.values())} rows, "
        f"{report.files_deleted} files"
        + (
            f"; models to retrain: {', '.join(report.models_flagged)}"
            if report.models_flagged
            else ""
        )
    )
    return 0


def subject_access_main(ns: argparse.Namespace) -> int:
    """`cvassist subject-access CANDIDATE_ID --out FILE.zip`."""
    init_db()
    with session_scope() as session:
        try:
            blob = subject_access(session=session, user=SYSTEM_USER, candidate_id=ns.candidate_id)
        except NotFound:
            return _fail(f"there is no candidate {ns.candidate_id}.")
    Path(ns.out).write_bytes(blob)
    print(f"wrote {ns.out} ({len(blob)} bytes)")
    return 0
