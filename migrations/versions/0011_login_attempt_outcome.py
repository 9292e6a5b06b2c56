"""Sign-in attempts carry their kind and outcome, so the throttle reserves before it hashes.

Revision ID: 0011_login_attempt_outcome
Revises: 0010_idempotency_fingerprint

An attempt is written as "pending" in the short transaction that checks the limit, before
the password is hashed, and settled afterwards as "failed" or "ok" (marketplace/auth/throttle.py);
pending and failed rows count. Requests refused by the throttle ("refused") or by a busy
database ("unavailable") are kept too but do not count. `kind` tells a password from a
second-factor attempt: the per-account lock of a second-factor account is soft and only
second-factor failures hold its code step. Existing rows were failures of either kind.
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_login_attempt_outcome"
down_revision = "0010_idempotency_fingerprint"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("login_attempt") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="password"))
        batch.add_column(sa.Column("outcome", sa.String(16), nullable=False, server_default="failed"))


def downgrade() -> None:
    op.execute("DELETE FROM login_attempt WHERE outcome NOT IN ('pending', 'failed')")
    with op.batch_alter_table("login_attempt") as batch:
        batch.drop_column("outcome")
        batch.drop_column("kind")
