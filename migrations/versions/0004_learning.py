"""Learning (issue 5): model registry, calibrators, training examples.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision (nothing yet: the chain is reserved so parallel work cannot fork it)."""


def downgrade() -> None:
    """Revert this revision."""
