"""Supervisors (arbetsledare) assigned to programmes. The roles supervisor and manager need no
schema change: app_user.roles is free text checked by the service (marketplace/auth/accounts.py).

Revision ID: 0022_supervisor_assignments
Revises: 0021_reserved_places
"""
import sqlalchemy as sa
from alembic import op

from catalog.types import UTCDateTime

revision = "0022_supervisor_assignments"
down_revision = "0021_reserved_places"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_supervisor",
        sa.Column("programme_id", sa.Integer(), sa.ForeignKey("programme.id"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("app_user.id"), primary_key=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), sa.ForeignKey("app_user.id"), nullable=True),
    )
    op.create_index("ix_programme_supervisor_user_id", "programme_supervisor", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_programme_supervisor_user_id", table_name="programme_supervisor")
    op.drop_table("programme_supervisor")
