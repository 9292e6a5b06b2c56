"""Covering indexes for the catalogue's broad filters (target group, accessible, price).

Revision ID: 0008_search_covering
Revises: 0007_booking_updated_at

A search by target group, accessibility and price with dates read every published
programme's wide row (PostgreSQL: 15 506 buffers at 10 000 programmes, benchmarks/RESULTS.md).
With these two indexes the matches come from index-only scans (474 buffers):
- programme_target_group (target_group_code, programme_id), replacing the single-column
  index on target_group_code (catalog/models.py declares it);
- on PostgreSQL, programme (status, accessible, price_ore, capacity, id) INCLUDE (name): the
  filters, the availability condition's capacity and the sort key without the heap. Like
  0005's indexes it is PostgreSQL-only (INCLUDE), so the models do not declare it.
"""
from alembic import op

revision = "0008_search_covering"
down_revision = "0007_booking_updated_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_programme_target_group_code_programme "
               "ON programme_target_group (target_group_code, programme_id)")
    op.execute("DROP INDEX IF EXISTS ix_programme_target_group_target_group_code")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX IF NOT EXISTS ix_programme_filters_cover "
                   "ON programme (status, accessible, price_ore, capacity, id) INCLUDE (name)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_programme_filters_cover")
    op.execute("CREATE INDEX IF NOT EXISTS ix_programme_target_group_target_group_code "
               "ON programme_target_group (target_group_code)")
    op.execute("DROP INDEX IF EXISTS ix_programme_target_group_code_programme")
