"""Shared arrangements for the booking tests: actors, requests, running a use case."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from marketplace.auth.accounts import actor_for_user
from marketplace.bookings import flow
from marketplace.bookings.models import Booking, BookingEvent
from marketplace.kernel.db import transaction

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 3, 2)


def _actor(db, user):
    return actor_for_user(db, user)


def _place_request(programme, *, start=date(2026, 3, 16), weeks=4, waitlist=False, **overrides) -> flow.PlaceRequest:
    values = dict(programme_id=programme.id, start_date=start, end_date=start + timedelta(days=7 * weeks - 1),
                  participant_reference="ÄR-2026-0042", participant_name="Ahmed Ali", purpose="Pröva arbetsförmåga",
                  goals="Klara fyra timmar om dagen", tasks="Parkskötsel", sub_goals="Passa tider",
                  participant_view="Vill arbeta utomhus", fia_completed=True, decision_reference="SoL-4-1",
                  decision_date=date(2026, 2, 20), waitlist=waitlist)
    values.update(overrides)
    return flow.PlaceRequest(**values)


def _request(db, user, programme, *, now=NOW, today=TODAY, hold_days=10, key=None, **overrides) -> Booking:
    with transaction(db, write_lock=True):
        return flow.request_place(db, _place_request(programme, **overrides), actor=_actor(db, user), now=now,
                                  today=today, hold_days=hold_days, idempotency_key=key).booking


def _run(db, use_case, booking, **kwargs):
    with transaction(db, write_lock=True):
        return use_case(db, booking, **kwargs)


def _event_count(db, booking) -> int:
    return db.execute(select(func.count(BookingEvent.id)).where(BookingEvent.booking_id == booking.id)).scalar_one()
