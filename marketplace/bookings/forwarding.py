"""A refused request forwarded to another programme (the link between the two bookings), and
the participant across placements: the buyer's other bookings for the same reference."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime
from marketplace import audit
from marketplace.auth.policy import Actor
from marketplace.bookings.flow import PlaceRequest, Placed, request_place
from marketplace.bookings.models import Booking, BookingStatus
from marketplace.kernel.errors import Conflict


class BookingForward(SQLModel, table=True):
    """from_booking (rejected, expired or cancelled) was forwarded as to_booking."""

    __tablename__ = "booking_forward"

    id: int | None = Field(default=None, primary_key=True)
    from_booking_id: int = Field(foreign_key="booking.id", index=True)
    to_booking_id: int = Field(foreign_key="booking.id", sa_column_kwargs={"unique": True}, nullable=False)
    forwarded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    forwarded_at: datetime = Field(sa_type=UTCDateTime)


# --- use cases -----------------------------------------------------------------------------------

FORWARDABLE = (BookingStatus.REJECTED.value, BookingStatus.EXPIRED.value, BookingStatus.CANCELLED.value)
# A participant "has an open placement" while one of these holds or uses a place.
OPEN = (BookingStatus.REQUESTED.value, BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value)
PARTICIPANT_HAS_OPEN_PLACEMENT = "participant_has_open_placement"


def _same_participant(booking: Booking):
    return (Booking.buyer_organisation_id == booking.buyer_organisation_id,
            Booking.participant_reference == booking.participant_reference, Booking.id != booking.id)


def related_bookings(session: Session, booking: Booking) -> list[Booking]:
    """The buyer's other bookings for the same participant reference, earliest first."""
    return list(session.execute(select(Booking).where(*_same_participant(booking))
                                .order_by(Booking.start_date, Booking.id)).scalars())


def warnings_for(session: Session, booking: Booking) -> list[str]:
    """What a new request should tell its sender: the participant already has an open placement."""
    other = session.execute(select(Booking.id).where(*_same_participant(booking), Booking.status.in_(OPEN))
                            .limit(1)).first()
    return [PARTICIPANT_HAS_OPEN_PLACEMENT] if other else []


def forward_links(session: Session, booking: Booking) -> tuple[Booking | None, list[Booking]]:
    """The booking this one was forwarded from, and those it was forwarded as."""
    rows = session.execute(select(BookingForward).where(or_(BookingForward.from_booking_id == booking.id,
                                                            BookingForward.to_booking_id == booking.id))).scalars()
    source, targets = None, []
    for row in rows:
        if row.to_booking_id == booking.id:
            source = session.get(Booking, row.from_booking_id)
        else:
            targets.append(session.get(Booking, row.to_booking_id))
    return source, sorted(targets, key=lambda b: b.id)


def forward_booking(session: Session, booking: Booking, *, programme_id: int, start_date: date, end_date: date,
                    actor: Actor, now: datetime, today: date, hold_days: int, idempotency_key: str | None = None) -> Placed:
    """Send a refused request on as a new one (request_place's rules), with its participant and assignment.

    Raises Conflict "not_forwardable" unless the booking is rejected, expired or cancelled, and
    "already_erased" when its participant data is gone. Must run in transaction(write_lock=True).
    """
    if booking.status not in FORWARDABLE:
        raise Conflict("Bara avslagna, utgångna och avbokade förfrågningar kan skickas vidare.", code="not_forwardable")
    if booking.personal_data_erased_at is not None or not booking.participant_name:
        raise Conflict("Personuppgifterna är gallrade.", code="already_erased")
    request = forwarded_request(booking, programme_id=programme_id, start_date=start_date, end_date=end_date)
    placed = request_place(session, request, actor=actor, now=now, today=today, hold_days=hold_days,
                           idempotency_key=idempotency_key)
    if placed.created:
        session.add(BookingForward(from_booking_id=booking.id, to_booking_id=placed.booking.id,
                                   forwarded_by_id=actor.user_id, forwarded_at=now))
        audit.record(session, actor=actor, action="booking.forward", object_type="booking", object_id=placed.booking.id,
                     now=now, details={"ref": placed.booking.ref, "from": booking.ref})
        session.flush()
    return placed


def forwarded_request(booking: Booking, *, programme_id: int, start_date: date, end_date: date) -> PlaceRequest:
    """The request a forward sends: the old booking's participant and assignment, new programme and dates."""
    return PlaceRequest(
        programme_id=programme_id, start_date=start_date, end_date=end_date,
        participant_reference=booking.participant_reference, participant_name=booking.participant_name or "",
        participant_contact=booking.participant_contact, participant_needs=booking.participant_needs,
        purpose=booking.assignment_purpose, goals=booking.assignment_goals, sub_goals=booking.assignment_sub_goals,
        tasks=booking.assignment_tasks, participant_view=booking.assignment_participant_view,
        fia_completed=booking.fia_completed, decision_reference=booking.decision_reference,
        decision_date=booking.decision_date, participant_age=booking.participant_age,
        participant_target_group=booking.participant_target_group,
    )
