"""Messages and documents per booking (marketplace/collaboration).

Revision ID: 0015_booking_collaboration
Revises: 0014_meetings

A document's bytes live outside the database, in INSATSTORGET_DOCUMENT_DIR (one file per
document, named by its id); these tables hold the messages and the documents' metadata.
"""
import sqlalchemy as sa
from alembic import op

from catalog.types import UTCDateTime

revision = "0015_booking_collaboration"
down_revision = "0014_meetings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "booking_message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("booking.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("author_organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_booking_message_booking", "booking_message", ["booking_id", "id"])
    op.create_table(
        "booking_document",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("booking.id"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("uploaded_by_organisation_id", sa.Integer(), sa.ForeignKey("organisation.id"), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('work_plan','assignment','report','other')", name="ck_booking_document_kind"),
        sa.CheckConstraint("size > 0", name="ck_booking_document_size"),
    )
    op.create_index("ix_booking_document_booking", "booking_document", ["booking_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_booking_document_booking", table_name="booking_document")
    op.drop_table("booking_document")
    op.drop_index("ix_booking_message_booking", table_name="booking_message")
    op.drop_table("booking_message")
