"""Programmes and bookings written straight to the tables (the booking flow is another area's)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation, Programme, ProgrammeTargetGroup
from marketplace.bookings.models import Booking, BookingEvent

_counter = itertools.count(1)
T0 = datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)


def org_id(session: Session, code: str) -> int:
    return session.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one()


def make_programme(session: Session, *, organisation: str = "AMF", code: str | None = None, name: str = "Snickeriet",
                   category: str = "carpentry", capacity: int = 10, price_ore: int = 450_000, price_unit: str = "month",
                   target_groups=("long_term_unemployed",)) -> Programme:
    programme = Programme(code=code or f"P{next(_counter):04d}", organisation_id=org_id(session, organisation), name=name,
                          category_code=category, capacity=capacity, price_ore=price_ore, price_unit=price_unit,
                          status="published", created_at=T0, updated_at=T0)
    session.add(programme)
    session.flush()
    for group in target_groups:
        session.add(ProgrammeTargetGroup(programme_id=programme.id, target_group_code=group))
    session.commit()
    return programme


def make_booking(session: Session, programme: Programme, requester, *, buyer: str = "RK", status: str = "active",
                 start: date = date(2026, 1, 12), end: date = date(2026, 12, 31), outcome: str | None = None,
                 participant: str | None = None, decision: str | None = "BB-1", price_ore: int | None = None,
                 price_unit: str | None = None, commit: bool = True) -> Booking:
    number = next(_counter)
    booking = Booking(
        ref=f"B-2026-{number:06d}", programme_id=programme.id, buyer_organisation_id=org_id(session, buyer),
        requester_id=requester.id, status=status, start_date=start, end_date=end,
        price_ore=programme.price_ore if price_ore is None else price_ore,
        price_unit=price_unit or programme.price_unit,
        participant_reference=participant or f"P-{number}", participant_name=f"Deltagare {number}",
        assignment_purpose="Arbetsträning", assignment_goals="Klara en arbetsdag", assignment_sub_goals="Komma i tid",
        assignment_tasks="Snickeri", decision_reference=decision, outcome=outcome, created_at=T0, updated_at=T0,
    )
    session.add(booking)
    session.flush()
    if commit:
        session.commit()
    return booking


def add_event(session: Session, booking: Booking, *, at: datetime, from_status: str | None, to_status: str) -> None:
    session.add(BookingEvent(booking_id=booking.id, at=at, from_status=from_status, to_status=to_status))
