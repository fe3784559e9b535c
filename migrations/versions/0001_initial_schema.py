"""Initial schema: every table of data.models.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# Types are spelled out here (not imported from data.models) so this revision stays as it was.
JSON_TYPE = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC_DATETIME = sa.DateTime(timezone=True)

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=True),
        sa.Column("detail", JSON_TYPE, nullable=False),
        sa.CheckConstraint(
            "action IN ('view', 'correct', 'export', 'delete', 'sign_in', 'upload', 'promote')",
            name="ck_auditevent_action",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auditevent_at", "auditevent", ["at"])
    op.create_index("ix_auditevent_candidate_id", "auditevent", ["candidate_id"])
    op.create_index("ix_auditevent_username", "auditevent", ["username"])

    op.create_table(
        "batch",
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("n_files", sa.Integer(), nullable=False),
        sa.Column("n_new", sa.Integer(), nullable=False),
        sa.Column("n_duplicates", sa.Integer(), nullable=False),
        sa.Column("n_failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_batch_created_by", "batch", ["created_by"])

    op.create_table(
        "document",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime", sa.String(length=200), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stored_path", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_index("ix_document_batch_id", "document", ["batch_id"])
    op.create_index("ix_document_uploaded_at", "document", ["uploaded_at"])
    op.create_index("ix_document_uploaded_by", "document", ["uploaded_by"])

    op.create_table(
        "parsejob",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", UTC_DATETIME, nullable=True),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name="ck_parsejob_status"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_parsejob_created_at", "parsejob", ["created_at"])
    op.create_index("ix_parsejob_document_id", "parsejob", ["document_id"])
    op.create_index("ix_parsejob_status", "parsejob", ["status"])

    op.create_table(
        "parseresult",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("message", sa.String(), nullable=True),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("parse_ms", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parsed", JSON_TYPE, nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_parseresult_document_id", "parseresult", ["document_id"])

    op.create_table(
        "candidate",
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("parse_result_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("display_name", sa.String(length=300), nullable=True),
        sa.Column("n_fields", sa.Integer(), nullable=False),
        sa.Column("n_green", sa.Integer(), nullable=False),
        sa.Column("n_amber", sa.Integer(), nullable=False),
        sa.Column("n_red", sa.Integer(), nullable=False),
        sa.Column("expected_corrections", sa.Float(), nullable=False),
        sa.Column("min_confidence", sa.Float(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_activity_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "status IN ('new', 'in_review', 'reviewed')", name="ck_candidate_status"
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parse_result_id"],
            ["parseresult.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id"),
    )
    op.create_index("ix_candidate_expected_corrections", "candidate", ["expected_corrections"])
    op.create_index("ix_candidate_last_activity_at", "candidate", ["last_activity_at"])
    op.create_index("ix_candidate_status", "candidate", ["status"])

    op.create_table(
        "fieldvalue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parse_result_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("value", JSON_TYPE, nullable=False),
        sa.Column("normalized", JSON_TYPE, nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("bbox", JSON_TYPE, nullable=True),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("extractor", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["parse_result_id"],
            ["parseresult.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("parse_result_id", "path", name="uq_fieldvalue_path"),
    )
    op.create_index("ix_fieldvalue_field", "fieldvalue", ["field"])
    op.create_index("ix_fieldvalue_parse_result_id", "fieldvalue", ["parse_result_id"])

    op.create_table(
        "correction",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("parse_result_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("field_path", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("old_value", JSON_TYPE, nullable=False),
        sa.Column("new_value", JSON_TYPE, nullable=False),
        sa.Column("new_source", JSON_TYPE, nullable=True),
        sa.Column("old_confidence", sa.Float(), nullable=True),
        sa.Column("seconds_spent", sa.Float(), nullable=False),
        sa.Column("model_version", sa.String(length=200), nullable=False),
        sa.Column("candidate_version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "action IN ('accept', 'edit', 'reject', 'add')", name="ck_correction_action"
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidate.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parse_result_id"],
            ["parseresult.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_correction_at", "correction", ["at"])
    op.create_index("ix_correction_candidate_id", "correction", ["candidate_id"])
    op.create_index("ix_correction_username", "correction", ["username"])


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index("ix_correction_username", table_name="correction")
    op.drop_index("ix_correction_candidate_id", table_name="correction")
    op.drop_index("ix_correction_at", table_name="correction")

    op.drop_table("correction")
    op.drop_index("ix_fieldvalue_parse_result_id", table_name="fieldvalue")
    op.drop_index("ix_fieldvalue_field", table_name="fieldvalue")

    op.drop_table("fieldvalue")
    op.drop_index("ix_candidate_status", table_name="candidate")
    op.drop_index("ix_candidate_last_activity_at", table_name="candidate")
    op.drop_index("ix_candidate_expected_corrections", table_name="candidate")

    op.drop_table("candidate")
    op.drop_index("ix_parseresult_document_id", table_name="parseresult")

    op.drop_table("parseresult")
    op.drop_index("ix_parsejob_status", table_name="parsejob")
    op.drop_index("ix_parsejob_document_id", table_name="parsejob")
    op.drop_index("ix_parsejob_created_at", table_name="parsejob")

    op.drop_table("parsejob")
    op.drop_index("ix_document_uploaded_by", table_name="document")
    op.drop_index("ix_document_uploaded_at", table_name="document")
    op.drop_index("ix_document_batch_id", table_name="document")

    op.drop_table("document")
    op.drop_index("ix_batch_created_by", table_name="batch")

    op.drop_table("batch")
    op.drop_index("ix_auditevent_username", table_name="auditevent")
    op.drop_index("ix_auditevent_candidate_id", table_name="auditevent")
    op.drop_index("ix_auditevent_at", table_name="auditevent")

    op.drop_table("auditevent")
