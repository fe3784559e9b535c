"""Dashboard and export (issue 6): drift alerts and their acknowledgements.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Types are spelled out here (not imported from data.models) so this revision stays as it was.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)
OLD_ACTIONS = (
    "view",
    "correct",
    "export",
    "delete",
    "sign_in",
    "upload",
    "promote",
    "sign_out",
    "account",
)
NEW_ACTIONS = (*OLD_ACTIONS, "acknowledge")
# a covering index for the dashboard's aggregations over a time range of corrections
DASHBOARD_COLUMNS = [
    "at",
    "field_path",
    "action",
    "old_confidence",
    "model_version",
    "candidate_id",
    "candidate_version",
    "seconds_spent",
]

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _actions_check(actions: tuple[str, ...]) -> str:
    return "action IN ({})".format(", ".join(f"'{a}'" for a in actions))


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "driftalert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("window_start", UTC_DATETIME, nullable=False),
        sa.Column("window_end", UTC_DATETIME, nullable=False),
        sa.Column("observed", sa.Float(), nullable=False),
        sa.Column("expected", sa.Float(), nullable=False),
        sa.Column("lower", sa.Float(), nullable=True),
        sa.Column("upper", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("detail", JSON_TYPE, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint("kind IN ('correction_rate', 'input_mix')", name="ck_driftalert_kind"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "subject", "window_start", name="uq_driftalert_window"),
    )
    op.create_index("ix_driftalert_subject", "driftalert", ["subject"])
    op.create_index("ix_driftalert_created_at", "driftalert", ["created_at"])
    op.create_index("ix_parseresult_created_at", "parseresult", ["created_at"])
    op.create_index("ix_correction_dashboard", "correction", DASHBOARD_COLUMNS)
    with op.batch_alter_table("auditevent") as batch:
        batch.drop_constraint("ck_auditevent_action", type_="check")
        batch.create_check_constraint("ck_auditevent_action", _actions_check(NEW_ACTIONS))


def downgrade() -> None:
    """Revert this revision (acknowledgement audit events are removed first)."""
    op.execute(sa.text("DELETE FROM auditevent WHERE action = 'acknowledge'"))
    with op.batch_alter_table("auditevent") as batch:
        batch.drop_constraint("ck_auditevent_action", type_="check")
        batch.create_check_constraint("ck_auditevent_action", _actions_check(OLD_ACTIONS))
    op.drop_index("ix_correction_dashboard", table_name="correction")
    op.drop_index("ix_parseresult_created_at", table_name="parseresult")
    op.drop_index("ix_driftalert_created_at", table_name="driftalert")
    op.drop_index("ix_driftalert_subject", table_name="driftalert")
    op.drop_table("driftalert")
