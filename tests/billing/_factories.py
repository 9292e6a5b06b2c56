"""Rows for billing tests: programmes and bookings written directly (the booking flow is not needed)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation, Programme
from marketplace.bookings.billable import BillableBooking, OrgCodes
from marketplace.bookings.models import Booking
from tests.factories import make_user

_counter = itertools.count(1)
T0 = datetime(2026, 1, 2, 8, 0, tzinfo=timezone.utc)


def org_id(session: Session, code: str) -> int:
    return session.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one()


def requester(session: Session) -> int:
    from marketplace.auth.models import User

    found = session.execute(select(User.id).where(User.email == "requester.billing@test.se")).scalar()
    if found:
        return found
    return make_user(session, organisation="RK", roles=["staff"], email="requester.billing@test.se").id


def make_programme(session: Session, *, organisation: str = "AMF", price_ore: int = 450_000, price_unit: str = "month",
                   name: str = "Caféet på torget") -> Programme:
    number = next(_counter)
    programme = Programme(
        code=f"BP-{organisation}-{number:04d}", organisation_id=org_id(session, organisation), name=f"{name} {number}",
        description="Arbetsträning.", category_code="painting", capacity=50, price_ore=price_ore,
        price_unit=price_unit, status="published", created_at=T0, updated_at=T0,
    )
    session.add(programme)
    session.commit()
    return programme


def make_booking(session: Session, programme: Programme, *, buyer: str = "RK", status: str = "approved",
                 start: date = date(2026, 1, 10), end: date = date(2026, 3, 20), price_ore: int | None = None,
                 price_unit: str | None = None, updated_at: datetime = T0, participant_name: str = "Hemlig Deltagare") -> Booking:
    number = next(_counter)
    booking = Booking(
        ref=f"B-2026-{number:06d}", programme_id=programme.id, buyer_organisation_id=org_id(session, buyer),
        requester_id=requester(session), status=status, start_date=start, end_date=end,
        price_ore=programme.price_ore if price_ore is None else price_ore,
        price_unit=price_unit or programme.price_unit, participant_reference=f"REF-{number}",
        participant_name=participant_name, assignment_purpose="Syfte", assignment_goals="Mål",
        assignment_tasks="Uppgifter", created_at=T0, updated_at=updated_at,
    )
    session.add(booking)
    session.commit()
    return booking


def change_booking(session: Session, booking: Booking, *, at: datetime, **fields) -> Booking:
    """Change a booking row as the booking flow would (bumping updated_at)."""
    row = session.get(Booking, booking.id)
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = at
    row.version += 1
    session.commit()
    return row


def record(*, start: date, end: date, price_ore: int = 450_000, unit: str = "month", status: str = "approved",
           buyer_id: int = 1, provider_id: int = 2, booking_id: int = 1) -> BillableBooking:
    """A pure BillableBooking for pricing tests."""
    buyer = OrgCodes(buyer_id, "RK", "Rinkeby-Kista", "1100", "7691", "3691")
    provider = OrgCodes(provider_id, "AMF", "Arbetsmarknadsförvaltningen", "3100", "7691", "3691")
    return BillableBooking(booking_id, f"B-{booking_id}", "P", "Programme", buyer, provider, start, end, status, price_ore, unit)
