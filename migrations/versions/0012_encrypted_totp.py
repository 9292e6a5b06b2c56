"""TOTP secrets are stored encrypted (marketplace/field_crypto.py).

Revision ID: 0012_encrypted_totp
Revises: 0011_login_attempt_outcome

The two secret columns widen from 64 to 255 characters (a Fernet token of a 32-character
secret is about 150), and every plaintext secret is encrypted with the key of the
environment running the upgrade (INSATSTORGET_FIELD_KEY, else INSATSTORGET_SECRET_KEY).
Downgrade decrypts them and narrows the columns again.
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_encrypted_totp"
down_revision = "0011_login_attempt_outcome"
branch_labels = None
depends_on = None

COLUMNS = (("app_user", "totp_secret"), ("totp_state", "pending_secret"))


def upgrade() -> None:
    from marketplace.kernel.field_crypto import rotate_all

    for table_name, column_name in COLUMNS:
        with op.batch_alter_table(table_name) as batch:
            batch.alter_column(column_name, type_=sa.String(255), existing_type=sa.String(64), existing_nullable=True)
    rotate_all(op.get_bind())


def downgrade() -> None:
    from marketplace.kernel.field_crypto import keyring

    connection = op.get_bind()
    ring = keyring()
    for table_name, column_name in COLUMNS:
        raw = sa.table(table_name, sa.column(column_name, sa.String))
        value = raw.c[column_name]
        for (stored,) in connection.execute(sa.select(value).where(value.is_not(None)).distinct()).all():
            connection.execute(sa.update(raw).where(value == stored).values({column_name: ring.decrypt(stored)}))
        with op.batch_alter_table(table_name) as batch:
            batch.alter_column(column_name, type_=sa.String(64), existing_type=sa.String(255), existing_nullable=True)
