"""Bookings with participant data, written directly (the booking flow is tested elsewhere)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace.audit.models import AuditLog
from marketplace.bookings.models import Booking

_numbers = itertools.count(1)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
SECRET_NAME = "Zlatan Testdeltagare"


def org_id(session: Session, code: str) -> int:
    return session.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one()


def make_booking(session: Session, programme, *, requester_id: int, status: str = "ended", buyer: str = "RK",
                 start: date = date(2025, 1, 6), end: date = date(2025, 3, 31), updated_at: datetime = T0,
                 reference: str | None = None, price_ore: int | None = None, commit: bool = True) -> Booking:
    number = next(_numbers)
    booking = Booking(
        ref=f"B-2025-{number:06d}", programme_id=programme.id, buyer_organisation_id=org_id(session, buyer),
        requester_id=requester_id, status=status, start_date=start, end_date=end,
        price_ore=programme.price_ore if price_ore is None else price_ore, price_unit=programme.price_unit,
        participant_reference=reference or f"ÄR-{number}", participant_name=SECRET_NAME,
        participant_contact="070-123 45 67", participant_needs="Behöver lugn miljö",
        assignment_purpose="Syfte", assignment_goals="Mål", assignment_tasks="Uppgifter",
        outcome="work" if status == "ended" else None, created_at=updated_at, updated_at=updated_at,
    )
    session.add(booking)
    if commit:
        session.commit()
    return booking


def audit_rows(session: Session, action: str | None = None) -> list[AuditLog]:
    statement = select(AuditLog).order_by(AuditLog.id)
    if action:
        statement = statement.where(AuditLog.action == action)
    session.commit()  # end the read snapshot so rows the app committed since are seen
    return list(session.execute(statement).scalars())
