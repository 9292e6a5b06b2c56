"""Alembic environment: the URL comes from the caller (init-db), the metadata from the models."""

from alembic import context

import importlib.util
from pathlib import Path

# Loaded by Alembic from a file path, so the model index is loaded the same way.
_spec = importlib.util.spec_from_file_location("_insatstorget_all_models", Path(__file__).parent / "all_models.py")
_all_models = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_all_models)
metadata = _all_models.metadata

config = context.config
connectable = config.attributes.get("connection")


def run_migrations_online() -> None:
    if connectable is None:
        from marketplace.kernel.config import Settings
        from marketplace.kernel.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url") or Settings().resolved_database_url())
        with engine.connect() as connection:
            _run(connection)
        engine.dispose()
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
