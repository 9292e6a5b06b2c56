"""Rewrite the initial revision (0001) from the models: python -m migrations.regenerate

Until the first release the schema lives in one generated revision; hand-written revisions
(search indexes, triggers) follow it. After the first release, add revisions instead.
"""

from pathlib import Path

from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from migrations.all_models import metadata

TARGET = Path(__file__).parent / "versions" / "0001_initial.py"

HEADER = '''"""Initial schema, generated from the models by migrations/regenerate.py.

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import catalog.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
'''


def _strip(rendered: str) -> str:
    lines = [line for line in rendered.splitlines() if line.strip() and not line.strip().startswith("# ###")]
    return "\n".join(lines)


def main() -> None:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"render_as_batch": False})
        operations = produce_migrations(context, metadata)
    upgrade = render_python_code(operations.upgrade_ops, render_as_batch=False)
    downgrade = render_python_code(operations.downgrade_ops, render_as_batch=False)
    body = HEADER + _strip(upgrade) + "\n\n\ndef downgrade() -> None:\n" + _strip(downgrade) + "\n"
    TARGET.write_text(body, encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
