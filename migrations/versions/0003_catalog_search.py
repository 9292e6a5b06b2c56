"""Catalogue full-text search: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Revision ID: 0003_catalog_search
Revises: 0002_audit

Hand-written (autogenerate knows neither). On SQLite an external-content FTS5 table over
programme.search_text is kept in step by triggers, so every writer (use cases, imports,
tests) keeps the index true. The tokenizer keeps diacritics: å, ä, ö are letters of their
own; folding is done in catalog.search, which stores both forms of each word.
"""
from alembic import op

revision = "0003_catalog_search"
down_revision = "0002_audit"
branch_labels = None
depends_on = None

SQLITE_UP = (
    "CREATE VIRTUAL TABLE programme_fts USING fts5(search_text, content='programme', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER programme_fts_ai AFTER INSERT ON programme BEGIN "
    "INSERT INTO programme_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER programme_fts_ad AFTER DELETE ON programme BEGIN "
    "INSERT INTO programme_fts(programme_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER programme_fts_au AFTER UPDATE OF search_text ON programme BEGIN "
    "INSERT INTO programme_fts(programme_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO programme_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO programme_fts(programme_fts) VALUES ('rebuild')",
)
SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS programme_fts_au",
    "DROP TRIGGER IF EXISTS programme_fts_ad",
    "DROP TRIGGER IF EXISTS programme_fts_ai",
    "DROP TABLE IF EXISTS programme_fts",
)
POSTGRES_UP = (
    "CREATE INDEX IF NOT EXISTS ix_programme_search_text ON programme "
    "USING gin (to_tsvector('simple', search_text))",
)
POSTGRES_DOWN = ("DROP INDEX IF EXISTS ix_programme_search_text",)


def _run(statements) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
