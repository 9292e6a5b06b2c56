"""Meetings with calendar invitations, the placement summary, forwarded requests, mail attachments.

Revision ID: 0014_meetings
Revises: 0013_programme_upkeep

meeting: a start, follow-up or end meeting of a booking (its iCalendar UID and SEQUENCE);
booking_summary: the provider's avslutsrapport of an ended placement; booking_forward: a
refused request forwarded as a new one; outbox_message gains one optional text attachment
(the .ics of an invitation).
"""
import sqlalchemy as sa
from alembic import op

from catalog.types import UTCDateTime

revision = "0014_meetings"
down_revision = "0013_programme_upkeep"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("booking.id"), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("location", sa.String(300), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("uid", sa.String(100), nullable=False, unique=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name="ck_meeting_times"),
        sa.CheckConstraint("kind IN ('start','follow_up','end')", name="ck_meeting_kind"),
    )
    op.create_index("ix_meeting_booking_id", "meeting", ["booking_id"])
    op.create_table(
        "booking_summary",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("booking.id"), nullable=False, unique=True),
        sa.Column("attendance", sa.Text(), nullable=True),
        sa.Column("achieved", sa.Text(), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("next_step", sa.Text(), nullable=True),
        sa.Column("written_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("written_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=True),
    )
    op.create_table(
        "booking_forward",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("from_booking_id", sa.Integer(), sa.ForeignKey("booking.id"), nullable=False),
        sa.Column("to_booking_id", sa.Integer(), sa.ForeignKey("booking.id"), nullable=False, unique=True),
        sa.Column("forwarded_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
        sa.Column("forwarded_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_booking_forward_from_booking_id", "booking_forward", ["from_booking_id"])
    with op.batch_alter_table("outbox_message") as batch:
        batch.add_column(sa.Column("attachment_filename", sa.String(100), nullable=True))
        batch.add_column(sa.Column("attachment_content_type", sa.String(100), nullable=True))
        batch.add_column(sa.Column("attachment", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_message") as batch:
        batch.drop_column("attachment")
        batch.drop_column("attachment_content_type")
        batch.drop_column("attachment_filename")
    op.drop_index("ix_booking_forward_from_booking_id", table_name="booking_forward")
    op.drop_table("booking_forward")
    op.drop_table("booking_summary")
    op.drop_index("ix_meeting_booking_id", table_name="meeting")
    op.drop_table("meeting")
