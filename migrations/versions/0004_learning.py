"""Learning (issue 5): model registry, champion history, calibrated confidence and auto-accept
decision per field value.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Types are spelled out here (not imported from data.models) so this revision stays as it was.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "modelversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("parser_version", sa.String(length=200), nullable=False),
        sa.Column("libraries", JSON_TYPE, nullable=False),
        sa.Column("metrics", JSON_TYPE, nullable=False),
        sa.Column("correction_ids", JSON_TYPE, nullable=False),
        sa.Column("candidate_ids", JSON_TYPE, nullable=False),
        sa.Column("n_corrections", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("needs_retraining", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "status IN ('candidate', 'champion', 'retired', 'rejected', 'rolled_back')",
            name="ck_modelversion_status",
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("version"),
    )
    op.create_index("ix_modelversion_created_at", "modelversion", ["created_at"])
    op.create_table(
        "modelevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("version", sa.String(length=100), nullable=False),
        sa.Column("previous", sa.String(length=100), nullable=True),
        sa.CheckConstraint("action IN ('promote', 'rollback')", name="ck_modelevent_action"),
        sa.ForeignKeyConstraint(["version"], ["modelversion.version"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_modelevent_at", "modelevent", ["at"])
    with op.batch_alter_table("fieldvalue") as batch:
        batch.add_column(sa.Column("calibrated", sa.Float(), nullable=True))
        batch.add_column(sa.Column("decision", sa.String(length=12), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("fieldvalue") as batch:
        batch.drop_column("decision")
        batch.drop_column("calibrated")
    op.drop_index("ix_modelevent_at", table_name="modelevent")
    op.drop_table("modelevent")
    op.drop_index("ix_modelversion_created_at", table_name="modelversion")
    op.drop_table("modelversion")
