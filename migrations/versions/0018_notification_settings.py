"""Notifications people manage: mail settings per kind, the daily digest and its held-back
items, and an index for the header's unread count.

Revision ID: 0018_notification_settings
Revises: 0017_webhooks
"""
import sqlalchemy as sa
from alembic import op

from catalog.types import UTCDateTime

revision = "0018_notification_settings"
down_revision = "0017_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_notification_user_unread", "notification", ["user_id", "read_at"])
    op.create_table(
        "notification_setting",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("mail", sa.String(12), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "daily_digest",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.UniqueConstraint("user_id", "day", name="uq_daily_digest_user_day"),
    )
    op.create_table(
        "digest_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=False),
        sa.Column("mail_kind", sa.String(40), nullable=False),
        sa.Column("ref", sa.String(30), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("digest_id", sa.Integer(), sa.ForeignKey("daily_digest.id"), nullable=True),
    )
    op.create_index("ix_digest_item_pending", "digest_item", ["digest_id", "user_id"])


def downgrade() -> None:
    op.drop_table("digest_item")
    op.drop_table("daily_digest")
    op.drop_table("notification_setting")
    op.drop_index("ix_notification_user_unread", table_name="notification")
