"""A covering index for a word search within a category.

Revision ID: 0026_programme_category_search
Revises: 0025_programme_next_free

The FTS match yields ids that are checked against this index's (status, category) range, and
the columns the search reads (stale, capacity, reserved places, min_weeks, validity, name, the
name's words) are in the index, so no programme row is read before the page is cut: the
selective and start_selective searches at 100 000 programmes went from 17 to 10 ms in-process
on SQLite. It replaces the (status, category_code) index, its prefix.
"""
from alembic import op

revision = "0026_programme_category_search"
down_revision = "0025_programme_next_free"
branch_labels = None
depends_on = None

COLUMNS = ["status", "category_code", "stale", "capacity", "reserved_places", "min_weeks", "valid_from", "valid_to",
           "name", "search_name"]


def upgrade() -> None:
    op.create_index("ix_programme_category_search", "programme", COLUMNS)
    op.drop_index("ix_programme_status_category", table_name="programme")


def downgrade() -> None:
    op.create_index("ix_programme_status_category", "programme", ["status", "category_code"])
    op.drop_index("ix_programme_category_search", table_name="programme")
