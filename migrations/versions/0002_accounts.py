"""Accounts and roles (issue 6): user accounts, sign-in.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision (nothing yet: the chain is reserved so parallel work cannot fork it)."""


def downgrade() -> None:
    """Revert this revision."""
