"""The full-days index behind the catalogue's availability filter (marketplace/bookings/full_days.py).

Revision ID: 0006_full_days
Revises: 0005_catalog_indexes

Hand-written: the table is derived data with its own metadata (not in the generated
initial revision). Filled from the booking rows at upgrade, so an existing database is
right from the first search; afterwards the ORM flush hook keeps it in step.

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
    from marketplace.bookings.full_days import metadata, rebuild_all

    connection = op.get_bind()
    metadata.create_all(connection)
    rebuild_all(connection)
    op.execute("CREATE INDEX IF NOT EXISTS ix_programme_status_capacity ON programme (status, capacity, id)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_programme_status_capacity")
    op.execute("DROP TABLE IF EXISTS programme_full_day")
