"""A fingerprint of the request body on each Idempotency-Key record.

Revision ID: 0010_idempotency_fingerprint
Revises: 0009_full_runs

The same key sent with a different body was answered with the first booking and the new
request was dropped silently. The record now keeps a SHA-256 of the whole request
(marketplace/bookings/fingerprint.py); a retry must match it, any other body answers 422
idempotency_key_reused. Records made before this revision have no fingerprint and are
compared by programme and start date, as before.
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_idempotency_fingerprint"
down_revision = "0009_full_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("idempotency_record") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idempotency_record") as batch:
        batch.drop_column("fingerprint")
