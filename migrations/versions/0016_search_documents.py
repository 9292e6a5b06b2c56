"""Rebuild every programme's search documents (catalog/search.py): each word also under its key
(foreign diacritics folded, Swedish spelling, a common ending stripped), and the location and
language support searchable.

Revision ID: 0016_search_documents
Revises: 0015_booking_collaboration

The SQLite FTS5 index follows through its triggers (0003), PostgreSQL's search_tsv is generated
(0005). Downgrade leaves the documents as they are: the older search reads them too.
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_search_documents"
down_revision = "0015_booking_collaboration"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    from catalog.search import documents

    connection = op.get_bind()
    category = {code: [sv, en] for code, sv, en in connection.execute(sa.text(
        "SELECT code, label_sv, label_en FROM category"))}
    group = {code: [sv, en] for code, sv, en in connection.execute(sa.text(
        "SELECT code, label_sv, label_en FROM target_group"))}
    groups: dict[int, list[str]] = {}
    for programme_id, code in connection.execute(sa.text(
            "SELECT programme_id, target_group_code FROM programme_target_group ORDER BY programme_id, target_group_code")):
        groups.setdefault(programme_id, []).append(code)
    update = sa.text("UPDATE programme SET search_name = :search_name, search_text = :search_text WHERE id = :id")
    last_id = 0
    while True:
        rows = connection.execute(sa.text(
            "SELECT id, name, description, location, language_support, category_code FROM programme "
            "WHERE id > :last ORDER BY id LIMIT :batch"), {"last": last_id, "batch": BATCH}).all()
        if not rows:
            break
        changes = []
        for programme_id, name, description, location, language_support, category_code in rows:
            labels = list(category.get(category_code, []))
            for code in groups.get(programme_id, []):
                labels += group.get(code, [])
            search_name, search_text = documents(name or "", description or "", labels,
                                                 [location or "", language_support or ""])
            changes.append({"id": programme_id, "search_name": search_name, "search_text": search_text})
        connection.execute(update, changes)
        last_id = rows[-1][0]


def downgrade() -> None:
    pass
