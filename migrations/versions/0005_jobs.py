"""Parse-job queue (issue 7): indexes and columns for SKIP LOCKED claims and the reaper.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision (nothing yet: the chain is reserved so parallel work cannot fork it)."""


def downgrade() -> None:
    """Revert this revision."""
