"""The demo step: bookings in every status across several districts, added once."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select

from catalog.models import Organisation
from marketplace.bookings.models import Booking, BookingStatus
from marketplace.operations.demo import seed_demo

TODAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_the_demo_has_bookings_in_every_status_from_several_districts_and_a_second_run_adds_none(engine, db):
    seed_demo(engine, today=TODAY, now=NOW)
    first = db.execute(select(func.count(Booking.id))).scalar_one()
    statuses = set(db.execute(select(Booking.status).distinct()).scalars())
    buyers = set(db.execute(select(Organisation.code).join(Booking, Booking.buyer_organisation_id == Organisation.id)).scalars())

    seed_demo(engine, today=TODAY, now=NOW)

    assert statuses == {status.value for status in BookingStatus}
    assert len(buyers) >= 3
    db.rollback()
    assert db.execute(select(func.count(Booking.id))).scalar_one() == first
