"""Migration 0016 rebuilds the search documents of programmes stored before it."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import select, update

from catalog.models import Programme
from catalog.search import ProgrammeFilters, programme_query
from tests.factories import make_programme

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0016_search_documents.py"


def _upgrade(engine) -> None:
    spec = importlib.util.spec_from_file_location("search_documents_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            module.upgrade()


def test_the_migration_rebuilds_documents_stored_the_old_way(db, engine):
    cafe = make_programme(db, name="Café Tensta", description="Servering.", category="bakery_cafe",
                          location="Tensta centrum", language_support="arabiska")
    expected = (cafe.search_name, cafe.search_text)
    db.execute(update(Programme).where(Programme.id == cafe.id)
                .values(search_name=" café cafe tensta ", search_text="café cafe tensta servering"))
    db.commit()

    def found(q: str) -> list[str]:
        return [p.name for p in db.execute(programme_query(ProgrammeFilters(q=q))).scalars()]

    assert found("kafe") == [] and found("arabiska") == []
    db.rollback()  # end the read snapshot the searches above opened
    _upgrade(engine)
    db.expire_all()
    assert tuple(db.execute(select(Programme.search_name, Programme.search_text)
                            .where(Programme.id == cafe.id)).one()) == expected
    assert found("kafe") == ["Café Tensta"] and found("arabiska") == ["Café Tensta"]
