"""Parse-job queue (issue 7): indexes and columns for SKIP LOCKED claims and the reaper.

`available_at` delays a re-queued job (backoff after a failed attempt); the claim query scans
queued jobs in (status, created_at) order, the reaper running jobs in (status, lease_until) order.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Types are spelled out here (not imported from data.models) so this revision stays as it was.
UTC_DATETIME = sa.DateTime(timezone=True)

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.add_column("parsejob", sa.Column("available_at", UTC_DATETIME, nullable=True))
    op.create_index("ix_parsejob_claim", "parsejob", ["status", "created_at"])
    op.create_index("ix_parsejob_lease", "parsejob", ["status", "lease_until"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_parsejob_lease", table_name="parsejob")
    op.drop_index("ix_parsejob_claim", table_name="parsejob")
    op.drop_column("parsejob", "available_at")  # native on SQLite >= 3.35: no table copy
