"""The full-days index stores runs of full days instead of single days (marketplace/bookings/full_days.py).

Revision ID: 0009_full_runs
Revises: 0008_search_covering

A four-week availability range met one programme_full_day row per full day (≈ 77 000 rows
at 100 000 programmes); programme_full_run holds one row per run of consecutive full days
with the same full_until, cut at month ends (benchmarks/RESULTS.md, "Search after issue 9").
Filled from the booking rows at upgrade; the day table is dropped. Downgrade recreates the
day table and expands the runs into it.
"""
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

revision = "0009_full_runs"
down_revision = "0008_search_covering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from marketplace.bookings.full_days import metadata, rebuild_all

    connection = op.get_bind()
    metadata.create_all(connection)
    rebuild_all(connection)
    op.execute("DROP TABLE IF EXISTS programme_full_day")


def downgrade() -> None:
    from catalog.types import UTCDateTime
    from marketplace.bookings.full_days import full_run

    day_table = op.create_table(
        "programme_full_day",
        sa.Column("programme_id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("full_until", UTCDateTime, nullable=True),
    )
    op.create_index("ix_programme_full_day_day", "programme_full_day", ["day", "programme_id", "full_until"])
    connection = op.get_bind()
    batch = []
    for programme_id, first, last, until in connection.execute(
            sa.select(full_run.c.programme_id, full_run.c.first_day, full_run.c.last_day, full_run.c.full_until)).all():
        batch.extend({"programme_id": programme_id, "day": first + timedelta(days=i), "full_until": until}
                     for i in range((last - first).days + 1))
        if len(batch) >= 20_000:
            connection.execute(sa.insert(day_table), batch)
            batch = []
    if batch:
        connection.execute(sa.insert(day_table), batch)
    op.drop_table("programme_full_run")
