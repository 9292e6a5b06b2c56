"""Each programme's next free date is stored (marketplace/bookings/next_free_index.py).

Revision ID: 0025_programme_next_free
Revises: 0024_attendance_note

The catalogue's start_by filter and its result pages read one indexed column instead of
every candidate's runs of full days. Every programme gets a stale row here; searches compute
stale rows from the runs until the refresh job (every minute) has stored their answers.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

from catalog.types import UTCDateTime

revision = "0025_programme_next_free"
down_revision = "0024_attendance_note"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programme_next_free",
        sa.Column("programme_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("next_free_date", sa.Date, nullable=True),
        sa.Column("computed_at", UTCDateTime, nullable=False),
        sa.Column("fresh_until", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_programme_next_free_date", "programme_next_free", ["next_free_date"])
    op.create_index("ix_programme_next_free_fresh_until", "programme_next_free", ["fresh_until"])
    op.create_index("ix_programme_next_free_computed_at", "programme_next_free", ["computed_at"])
    epoch = sa.bindparam("epoch", datetime(1970, 1, 1, tzinfo=timezone.utc), type_=UTCDateTime)
    op.get_bind().execute(sa.text(
        "INSERT INTO programme_next_free (programme_id, next_free_date, computed_at, fresh_until, version) "
        "SELECT id, NULL, :epoch, :epoch, 0 FROM programme").bindparams(epoch))


def downgrade() -> None:
    op.drop_table("programme_next_free")
