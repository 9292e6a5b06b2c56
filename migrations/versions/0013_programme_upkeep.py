"""Programme upkeep and eligibility: confirmation, validity, funding, age range, requirements.

Revision ID: 0013_programme_upkeep
Revises: 0012_encrypted_totp

A programme records when its coordinator last confirmed it is current (confirmed_at, filled
with created_at for existing programmes) and when the reminder to confirm was last sent; it
may be valid only between valid_from and valid_to and name its funding; it may be open only
to participants between min_age and max_age, with requirements as text. A booking may state
the participant's age (participant_age), checked against the range when the place is asked.
"""
import sqlalchemy as sa
from alembic import op

from catalog.types import UTCDateTime

revision = "0013_programme_upkeep"
down_revision = "0012_encrypted_totp"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on both engines (no table copy on SQLite).
    op.add_column("programme", sa.Column("confirmed_at", UTCDateTime(), nullable=True))
    op.add_column("programme", sa.Column("confirm_reminded_at", UTCDateTime(), nullable=True))
    op.add_column("programme", sa.Column("valid_from", sa.Date(), nullable=True))
    op.add_column("programme", sa.Column("valid_to", sa.Date(), nullable=True))
    op.add_column("programme", sa.Column("funding", sa.String(300), nullable=False, server_default=""))
    op.add_column("programme", sa.Column("min_age", sa.Integer(), nullable=True))
    op.add_column("programme", sa.Column("max_age", sa.Integer(), nullable=True))
    op.add_column("programme", sa.Column("requirements", sa.Text(), nullable=False, server_default=""))
    op.execute("UPDATE programme SET confirmed_at = created_at WHERE confirmed_at IS NULL")
    op.add_column("booking", sa.Column("participant_age", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("booking") as batch:
        batch.drop_column("participant_age")
    with op.batch_alter_table("programme") as batch:
        for name in ("requirements", "max_age", "min_age", "funding", "valid_to", "valid_from",
                     "confirm_reminded_at", "confirmed_at"):
            batch.drop_column(name)
