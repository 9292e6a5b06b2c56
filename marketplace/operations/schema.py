"""Every table of the service, imported once so that metadata is complete (Alembic, tests)."""

from sqlmodel import SQLModel

import catalog.models  # noqa: F401
import marketplace.auth.models  # noqa: F401
import marketplace.bookings.models  # noqa: F401
import marketplace.bookings.forwarding  # noqa: F401
import marketplace.bookings.full_days  # noqa: F401  (keeps the availability index in step on every flush)
import marketplace.audit.models  # noqa: F401
import marketplace.collaboration.models  # noqa: F401
import marketplace.notifications.models  # noqa: F401
import marketplace.kernel.job_models  # noqa: F401
import marketplace.meetings.models  # noqa: F401
import marketplace.privacy.models  # noqa: F401
import marketplace.stats.models  # noqa: F401
import marketplace.webhooks.models  # noqa: F401

metadata = SQLModel.metadata


def upgrade_schema(engine) -> None:
    """Create or migrate the schema to the newest revision (Alembic); safe to run again."""
    from pathlib import Path

    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parents[2] / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def init_db(engine) -> dict[str, int]:
    """Migrate and load the reference data; returns what was added (all zeros the second time)."""
    from sqlmodel import Session

    from catalog.reference_data import load_reference_data
    from marketplace.kernel.db import transaction

    upgrade_schema(engine)
    with Session(engine) as session, transaction(session):
        return load_reference_data(session)
