"""Use cases of meetings and summaries. No Flask: time and the actor come in as arguments.

Callers load the booking through bookings.public.get_visible_booking (None is 404) and
decide 403 with auth/policy.py; these functions check the state rules (409/422), write,
notify and audit. Every read of a meeting or summary is audited as a participant read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.models import Programme
from marketplace import audit
from marketplace.auth.models import User
from marketplace.auth.policy import Actor
from marketplace.bookings.public import Booking, BookingStatus, booking_link, coordinators_of, requester_of
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.meetings import ics
from marketplace.meetings.models import BookingSummary, Meeting, MeetingKind
from marketplace.notifications.mail_templates import Attachment, mail
from marketplace.notifications.notify import notify

# Meetings are planned while the placement is asked for, running, or just ended.
PLANNABLE = (BookingStatus.REQUESTED, BookingStatus.WAITLISTED, BookingStatus.APPROVED, BookingStatus.ACTIVE,
             BookingStatus.ENDED)
LOCATION_MAX, NOTE_MAX, SUMMARY_MAX = 300, 2000, 5000
SUMMARY_FIELDS = ("attendance", "achieved", "recommendation", "next_step")


@dataclass(frozen=True)
class MeetingIn:
    kind: str
    starts_at: datetime
    ends_at: datetime
    location: str | None = None
    note: str | None = None


def _clean(value: str | None, field: str, limit: int) -> str | None:
    value = (value or "").strip()
    if "\x00" in value:
        raise Invalid("Texten får inte innehålla NUL-tecken.", field=field)
    if len(value) > limit:
        raise Invalid(f"Högst {limit} tecken.", field=field)
    return value or None


def clock_local(moment: datetime) -> str:
    return moment.astimezone(STOCKHOLM).strftime("%Y-%m-%d %H:%M")


def programme_of(session: Session, booking: Booking) -> Programme:
    return session.get(Programme, booking.programme_id)


def parties(session: Session, booking: Booking, provider_id: int) -> list[User]:
    """Both sides: the requester and the provider's coordinators, each once."""
    users = [*requester_of(session, booking), *coordinators_of(session, provider_id)]
    return list({user.id: user for user in users}.values())


def _invite(session: Session, meeting: Meeting, booking: Booking, provider_id: int, *, now: datetime, kind: str,
            message: str) -> None:
    text = ics.calendar_text(meeting, ref=booking.ref, programme_name=None, now=now, with_location=False)
    base = mail(kind, booking.ref)
    with_invitation = base.with_attachment(Attachment(ics.filename(meeting, booking.ref), ics.content_type(meeting), text))
    for user in parties(session, booking, provider_id):
        notify(session, user=user, message=message, now=now, link=booking_link(booking), mail=with_invitation)


def plan_meeting(session: Session, booking: Booking, provider_id: int, data: MeetingIn, *, actor: Actor,
                 now: datetime) -> Meeting:
    if booking.status not in PLANNABLE:
        raise Conflict("Möten kan bara bokas för förfrågningar och placeringar som pågår eller har avslutats.",
                       code="booking_not_open")
    if data.kind not in {kind.value for kind in MeetingKind}:
        raise Invalid("Välj typ av möte.", field="kind")
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        raise Invalid("Ange tiden med tidszon.", field="starts_at")
    if data.ends_at <= data.starts_at:
        raise Invalid("Mötet måste sluta efter att det börjar.", field="ends_at")
    meeting = Meeting(booking_id=booking.id, kind=data.kind, starts_at=data.starts_at.astimezone(timezone.utc),
                      ends_at=data.ends_at.astimezone(timezone.utc),
                      location=_clean(data.location, "location", LOCATION_MAX), note=_clean(data.note, "note", NOTE_MAX),
                      uid=f"{uuid.uuid4()}@insatstorget", sequence=0, created_by_id=actor.user_id,
                      created_at=now, updated_at=now)
    session.add(meeting)
    session.flush()
    audit.record(session, actor=actor, action="meeting.plan", object_type="booking", object_id=booking.id, now=now,
                 details={"ref": booking.ref, "meeting_id": meeting.id, "kind": meeting.kind})
    _invite(session, meeting, booking, provider_id, now=now, kind="meeting_planned",
            message=f"Möte inbokat om {booking.ref}: {ics.KIND_TITLES[meeting.kind].lower()} "
                    f"{clock_local(meeting.starts_at)}.")
    return meeting


def cancel_meeting(session: Session, booking: Booking, provider_id: int, meeting: Meeting, *, actor: Actor,
                   now: datetime) -> Meeting:
    if meeting.cancelled_at is not None:
        raise Conflict("Mötet är redan inställt.", code="meeting_cancelled")
    # One statement: two cancellations at once raise the sequence once (the second finds it cancelled).
    done = session.execute(update(Meeting).where(Meeting.id == meeting.id, Meeting.cancelled_at.is_(None))
                           .values(cancelled_at=now, sequence=Meeting.sequence + 1, updated_at=now)).rowcount
    if not done:
        raise Conflict("Mötet är redan inställt.", code="meeting_cancelled")
    session.refresh(meeting)
    audit.record(session, actor=actor, action="meeting.cancel", object_type="booking", object_id=booking.id, now=now,
                 details={"ref": booking.ref, "meeting_id": meeting.id})
    _invite(session, meeting, booking, provider_id, now=now, kind="meeting_cancelled",
            message=f"Ett möte om {booking.ref} är inställt.")
    return meeting


def meetings_of(session: Session, booking_id: int) -> list[Meeting]:
    return list(session.execute(select(Meeting).where(Meeting.booking_id == booking_id)
                                .order_by(Meeting.starts_at, Meeting.id)).scalars())


def meeting_of(session: Session, booking_id: int, meeting_id: int) -> Meeting | None:
    if not 0 < meeting_id <= 2**31 - 1:
        return None
    meeting = session.get(Meeting, meeting_id)
    return meeting if meeting is not None and meeting.booking_id == booking_id else None


def record_read(session: Session, booking: Booking, *, actor: Actor, now: datetime, ip: str | None, what: str) -> None:
    """Audit a read of a booking's meetings or summary (no content in the details)."""
    audit.record(session, actor=actor, action=f"{what}.read", object_type="booking", object_id=booking.id, now=now,
                 ip=ip, details={"ref": booking.ref})


# --- summary -----------------------------------------------------------------------------------


def summary_of(session: Session, booking_id: int) -> BookingSummary | None:
    return session.execute(select(BookingSummary).where(BookingSummary.booking_id == booking_id)).scalar_one_or_none()


def write_summary(session: Session, booking: Booking, values: dict[str, str | None], *, actor: Actor,
                  now: datetime) -> BookingSummary:
    """Write or rewrite the summary of an ended placement; the requester is told (mail: the ref only)."""
    if booking.status != BookingStatus.ENDED:
        raise Conflict("Avslutsrapporten skrivs när placeringen har avslutats.", code="booking_not_ended")
    if booking.personal_data_erased_at is not None:
        raise Conflict("Personuppgifterna är gallrade.", code="already_erased")
    cleaned = {field: _clean(values.get(field), field, SUMMARY_MAX) for field in SUMMARY_FIELDS}
    missing = [(field, "Fyll i fältet.") for field in ("attendance", "achieved") if not cleaned[field]]
    if missing:
        raise Invalid("Fyll i närvaro och vad som uppnåtts.", errors=missing)
    summary = summary_of(session, booking.id)
    first = summary is None
    if first:
        summary = BookingSummary(booking_id=booking.id, written_at=now, updated_at=now, written_by_id=actor.user_id)
    for field, value in cleaned.items():
        setattr(summary, field, value)
    summary.updated_at, summary.written_by_id = now, actor.user_id
    session.add(summary)
    session.flush()
    audit.record(session, actor=actor, action="summary.write", object_type="booking", object_id=booking.id, now=now,
                 details={"ref": booking.ref, "first": first})
    for user in requester_of(session, booking):
        notify(session, user=user, message=f"Avslutsrapporten för {booking.ref} är skriven.", now=now,
               link=f"{booking_link(booking)}/avslutsrapport", mail=mail("summary_written", booking.ref))
    return summary


# --- retention ---------------------------------------------------------------------------------


def erase_for_booking(session: Session, booking_id: int, *, now: datetime) -> None:
    """Erase the free text of a booking's meetings and summary with its participant data."""
    session.execute(update(Meeting).where(Meeting.booking_id == booking_id).values(location=None, note=None, updated_at=now))
    session.execute(update(BookingSummary).where(BookingSummary.booking_id == booking_id)
                    .values(attendance=None, achieved=None, recommendation=None, next_step=None, erased_at=now,
                            updated_at=now))
