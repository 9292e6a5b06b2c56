"""Programmes and bookings with realistic defaults for the booking tests (committed)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation, Programme
from marketplace.bookings.models import Booking

_counter = itertools.count(1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _org_id(session: Session, code: str) -> int:
    return session.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one()


def _make_programme(session: Session, *, organisation: str = "AMF", capacity: int = 2, status: str = "published",
                    price_ore: int = 450_000, price_unit: str = "month", max_weeks: int | None = 52,
                    name: str = "Arbetsträning i park", now: datetime = T0) -> Programme:
    number = next(_counter)
    programme = Programme(
        code=f"P-{organisation}-{number:04d}", organisation_id=_org_id(session, organisation), name=f"{name} {number}",
        description="Utomhusarbete med handledare.", category_code="outdoor_park", capacity=capacity,
        price_ore=price_ore, price_unit=price_unit, max_weeks=max_weeks, status=status,
        location="Kista", schedule="Mån–fre 9–15", contact_name="Per", contact_email="per@example.se",
        created_at=now, updated_at=now,
    )
    session.add(programme)
    session.commit()
    return programme


def _make_booking(session: Session, programme: Programme, *, status: str = "approved", start: date = date(2026, 3, 10),
                  end: date = date(2026, 4, 10), buyer: str = "RK", requester_id: int, hold_expires_at: datetime | None = None,
                  now: datetime = T0) -> Booking:
    number = next(_counter)
    if status == "requested" and hold_expires_at is None:
        hold_expires_at = now + timedelta(days=10)
    booking = Booking(
        ref=f"T-{number:06d}", programme_id=programme.id, buyer_organisation_id=_org_id(session, buyer),
        requester_id=requester_id, status=status, start_date=start, end_date=end, price_ore=programme.price_ore,
        price_unit=programme.price_unit, participant_reference=f"ÄR-{number}", participant_name="Deltagare Test",
        assignment_purpose="Syfte", assignment_goals="Mål", assignment_tasks="Uppgifter",
        hold_expires_at=hold_expires_at, waitlisted_at=now if status == "waitlisted" else None,
        created_at=now, updated_at=now,
    )
    session.add(booking)
    session.commit()
    return booking
