"""Accounts and roles (issue 6): user accounts, the maintenance marker, two more audit actions.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Types are spelled out here (not imported from data.models) so this revision stays as it was.
UTC_DATETIME = sa.DateTime(timezone=True)
OLD_ACTIONS = ("view", "correct", "export", "delete", "sign_in", "upload", "promote")
NEW_ACTIONS = (*OLD_ACTIONS, "sign_out", "account")

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _actions_check(actions: tuple[str, ...]) -> str:
    return "action IN ({})".format(", ".join(f"'{a}'" for a in actions))


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "useraccount",
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=300), nullable=True),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_sign_in_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            "role IN ('recruiter', 'hr_lead', 'analyst', 'admin')", name="ck_useraccount_role"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "maintenancerun",
        sa.Column("task", sa.String(length=50), nullable=False),
        sa.Column("last_run_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("task"),
    )
    with op.batch_alter_table("auditevent") as batch:
        batch.drop_constraint("ck_auditevent_action", type_="check")
        batch.create_check_constraint("ck_auditevent_action", _actions_check(NEW_ACTIONS))


def downgrade() -> None:
    """Revert this revision (audit events with the new actions are removed first)."""
    op.execute(sa.text("DELETE FROM auditevent WHERE action IN ('sign_out', 'account')"))
    with op.batch_alter_table("auditevent") as batch:
        batch.drop_constraint("ck_auditevent_action", type_="check")
        batch.create_check_constraint("ck_auditevent_action", _actions_check(OLD_ACTIONS))
    op.drop_table("maintenancerun")
    op.drop_table("useraccount")
