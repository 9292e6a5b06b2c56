"""Each programme's next free date is stored (marketplace/bookings/next_free_index.py).

Revision ID: 0025_programme_next_free
Revises: 0024_attendance_note

The catalogue's start_by filter and its result pages read one indexed column instead of
every candidate's runs of full days. Every programme gets a stale row here; searches compute
stale rows from the runs until the refresh job (every minute) has stored their answers.
"""
from datetime import date, datetime, timezone

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
        sa.Column("computed_on", sa.Date, nullable=False),
        sa.Column("good_until", sa.Date, nullable=False),
        sa.Column("good_before", UTCDateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_programme_next_free_date", "programme_next_free", ["next_free_date", "programme_id"])
    op.create_index("ix_programme_next_free_good_before", "programme_next_free", ["good_before"])
    op.create_index("ix_programme_next_free_good_until", "programme_next_free", ["good_until"])
    op.create_index("ix_programme_next_free_computed_on", "programme_next_free", ["computed_on"])
    connection = op.get_bind()
    fill = sa.text(
        "INSERT INTO programme_next_free (programme_id, next_free_date, computed_on, good_until, good_before, version) "
        "SELECT id, NULL, :never, :never, :epoch, 0 FROM programme"
    ).bindparams(sa.bindparam("never", date(1970, 1, 1), type_=sa.Date),
                 sa.bindparam("epoch", datetime(1970, 1, 1, tzinfo=timezone.utc), type_=UTCDateTime))
    connection.execute(fill)


def downgrade() -> None:
    op.drop_table("programme_next_free")
