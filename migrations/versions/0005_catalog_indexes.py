"""Catalogue search indexes: default order and the filters, without touching the wide rows.

Revision ID: 0005_catalog_indexes
Revises: 0004_billing

Hand-written because the order index must use code-point order on PostgreSQL (COLLATE "C"),
the order catalog.search uses on both engines so that results are identical, and because
PostgreSQL gets a stored tsvector column (search_tsv, generated from search_text) that the
models do not know: catalog.search refers to it only in PostgreSQL's SQL.
"""
from alembic import op

revision = "0005_catalog_indexes"
down_revision = "0004_billing"
branch_labels = None
depends_on = None

FILTER_INDEX = ("CREATE INDEX IF NOT EXISTS ix_programme_search_filters ON programme "
                "(status, accessible, price_ore, category_code, organisation_id, id)")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute('CREATE INDEX IF NOT EXISTS ix_programme_status_name ON programme (status, name COLLATE "C", id)')
        # A stored tsvector: when the planner starts from another index (category), checking a
        # row is then cheap instead of parsing its whole search_text again.
        op.execute("ALTER TABLE programme ADD COLUMN IF NOT EXISTS search_tsv tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED")
        # fastupdate off: no pending list, so the planner's estimate stays true right after a
        # bulk import (programmes change rarely; searches are many).
        op.execute("CREATE INDEX IF NOT EXISTS ix_programme_search_tsv ON programme USING gin (search_tsv) "
                   "WITH (fastupdate = off)")
        op.execute("DROP INDEX IF EXISTS ix_programme_search_text")
    else:
        op.execute("CREATE INDEX IF NOT EXISTS ix_programme_status_name ON programme (status, name, id)")
    op.execute(FILTER_INDEX)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE INDEX IF NOT EXISTS ix_programme_search_text ON programme "
                   "USING gin (to_tsvector('simple', search_text))")
        op.execute("DROP INDEX IF EXISTS ix_programme_search_tsv")
        op.execute("ALTER TABLE programme DROP COLUMN IF EXISTS search_tsv")
    op.execute("DROP INDEX IF EXISTS ix_programme_search_filters")
    op.execute("DROP INDEX IF EXISTS ix_programme_status_name")
