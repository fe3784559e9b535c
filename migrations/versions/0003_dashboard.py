"""Dashboard and export (issue 6): drift alerts and their acknowledgements.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision (nothing yet: the chain is reserved so parallel work cannot fork it)."""


def downgrade() -> None:
    """Revert this revision."""
