"""A week's attendance carries a short note (the provider's comment to the buyer).

Revision ID: 0024_attendance_note
Revises: 0023_unmet_searches

Set with the counts on the attendance page or PUT /api/v1/bookings/{id}/attendance/{iso_week};
free text, so it is erased with the booking's other participant data. Existing weeks get "".
"""
import sqlalchemy as sa
from alembic import op

revision = "0024_attendance_note"
down_revision = "0023_unmet_searches"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attendance_week") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("attendance_week") as batch:
        batch.drop_column("note")
