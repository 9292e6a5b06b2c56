"""The full-days index behind the catalogue's availability filter (marketplace/bookings/full_days.py).

Revision ID: 0006_full_days
Revises: 0005_catalog_indexes

Hand-written: the table is derived data (not in the generated initial revision). Revision
0009_full_runs replaces it with runs of full days and fills those from the booking rows, so
the day table is created here as it was and left empty (the code that filled it is gone).

Also a narrow index on programme (status, capacity, id): counting the programmes that match
an availability-only search becomes an index-only scan instead of reading every wide
programme row (EXPLAIN in benchmarks/RESULTS.md: 2 206 buffers -> 123 at 10 000 programmes).
"""
from alembic import op

revision = "0006_full_days"
down_revision = "0005_catalog_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    import sqlalchemy as sa

    from catalog.types import UTCDateTime

    op.create_table(
        "programme_full_day",
        sa.Column("programme_id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("full_until", UTCDateTime, nullable=True),
    )
    op.create_index("ix_programme_full_day_day", "programme_full_day", ["day", "programme_id", "full_until"])
    op.execute("CREATE INDEX IF NOT EXISTS ix_programme_status_capacity ON programme (status, capacity, id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_programme_status_capacity")
    op.execute("DROP TABLE IF EXISTS programme_full_day")
