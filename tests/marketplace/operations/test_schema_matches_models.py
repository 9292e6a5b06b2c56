"""The migrations build every table, column and index the models declare, on both engines.

Revisions are written by hand; a column added to a model without its revision would only
show as an error on the first request that touches it. Tables and indexes that exist only
in the database (the search index, hand-made covering indexes, the availability runs) are
allowed: the comparison only fails on what the models have and the schema lacks."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from marketplace.operations.schema import metadata


def _flatten(diffs):
    for diff in diffs:
        if isinstance(diff, list):  # column changes come grouped per table
            yield from _flatten(diff)
        else:
            yield diff


def test_the_migrated_schema_has_everything_the_models_declare(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        diffs = list(_flatten(compare_metadata(context, metadata)))
    missing = [diff for diff in diffs if not diff[0].startswith("remove_")]
    assert missing == [], "the models declare what no migration creates:\n" + "\n".join(map(str, missing))
