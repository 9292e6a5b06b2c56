"""Migration 0019 swaps charge_line's kind check for one that allows 'credit': SQLite rebuilds the
table, and the rebuilt table keeps every row, its indexes and its append-only triggers."""

from __future__ import annotations

import importlib.util
from datetime import datetime, timezone
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.billing.disputes._helpers import close, march_to_april

MIGRATION = Path(__file__).parents[3] / "migrations" / "versions" / "0019_billing_disputes.py"


def _run(engine, step: str) -> None:
    spec = importlib.util.spec_from_file_location("billing_disputes_migration", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with engine.begin() as connection:
        with Operations.context(MigrationContext.configure(connection)):
            getattr(module, step)()


def _lines(engine) -> list[tuple]:
    with engine.connect() as connection:
        return connection.execute(text("SELECT id, period, kind, booking_ref, amount_ore FROM charge_line ORDER BY id")).all()


def _refused(engine, statement: str) -> bool:
    try:
        with engine.begin() as connection:
            connection.execute(text(statement))
    except DatabaseError:
        return True
    return False


def test_charge_lines_stay_append_only_and_keep_their_rows_across_the_rebuild(db, engine, settings):
    march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    before = _lines(engine)
    assert len(before) == 1

    _run(engine, "downgrade")
    assert _refused(engine, "INSERT INTO charge_line SELECT id + 1000, period, 'credit', '2026-02', booking_id, booking_ref, "
                            "programme_code, programme_name, buyer_organisation_id, buyer_code, buyer_name, buyer_cost_centre, "
                            "buyer_cost_account, provider_organisation_id, provider_code, provider_name, provider_cost_centre, "
                            "provider_revenue_account, from_date, to_date, days, unit_price_ore, unit, amount_ore, rule, "
                            "created_at FROM charge_line") if engine.dialect.name == "sqlite" else True
    _run(engine, "upgrade")

    assert _lines(engine) == before
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            names = set(connection.execute(text(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'charge_line' AND sql IS NOT NULL")).scalars())
        assert {"charge_line", "charge_line_no_update", "charge_line_no_delete", "ix_charge_line_period_order"} <= names
    assert _refused(engine, "UPDATE charge_line SET amount_ore = 0")
    assert _refused(engine, "DELETE FROM charge_line")
    assert _refused(engine, "INSERT INTO charge_line SELECT id + 1000, period, 'bogus', '2026-02', booking_id, booking_ref, "
                            "programme_code, programme_name, buyer_organisation_id, buyer_code, buyer_name, buyer_cost_centre, "
                            "buyer_cost_account, provider_organisation_id, provider_code, provider_name, provider_cost_centre, "
                            "provider_revenue_account, from_date, to_date, days, unit_price_ore, unit, amount_ore, rule, "
                            "created_at FROM charge_line")
    assert _lines(engine) == before


@pytest.mark.parametrize("statement", ["UPDATE billing_dispute SET status = 'maybe'",
                                       "UPDATE billing_dispute SET credit_ore = 100",
                                       "UPDATE billing_dispute SET status = 'resolved'",
                                       "UPDATE billing_dispute SET credit_ore = -1, status = 'resolved', decision = 'accepted'"])
def test_the_dispute_table_refuses_inconsistent_rows(db, engine, api, frozen_clock, statement):
    from tests.billing.disputes._helpers import BASE, users

    people = users(db)
    booking = march_to_april(db)
    frozen_clock("2026-04-03T09:00:00+02:00")
    assert api(people["buyer_finance"]).post(BASE, json={"booking_ref": booking.ref, "period": "2026-03",
                                                         "reason": "Fel"}).status_code == 201
    assert _refused(engine, statement)
