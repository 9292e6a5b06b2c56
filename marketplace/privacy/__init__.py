"""Use cases for personal data: erase by retention rule or on request, and the monthly
log review (loggkontroll). No Flask, no clock: time comes in as an argument.

DESIGN.md, privacy: participant name, contact and needs are erased a configurable time
after the placement ends, under the city's retention decision (gallringsbeslut); the
reference, dates, outcome and money stay for statistics and accounts.
"""

from __future__ import annotations

import hashlib
import random
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from marketplace import audit
from marketplace.audit.models import AuditLog
from marketplace.auth.policy import Actor
from marketplace.bookings.public import Booking, BookingStatus
from marketplace.collaboration.public import erase_for_booking as erase_collaboration
from marketplace.followups.public import erase_for_booking as erase_follow_up_text
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.meetings.public import erase_for_booking as erase_meetings
from marketplace.privacy.models import ErasureRecord, LogReview

PERSONAL_FIELDS = ("participant_name", "participant_contact", "participant_needs")
# A placement is over in these states; the retention time runs from its end.
FINAL_STATUSES = (BookingStatus.ENDED, BookingStatus.REJECTED, BookingStatus.CANCELLED, BookingStatus.EXPIRED)
READ_PARTICIPANT = "booking.read_participant"
ERASE_ACTION = "booking.erase_personal_data"


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def start_of_day_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=STOCKHOLM).astimezone(timezone.utc)


def expired_bookings_query(*, today: date, months: int):
    """Bookings whose personal fields are due for erasure on `today`.

    An ended placement counts from its end date; a request that never became a placement
    (rejected, cancelled, expired) counts from when it reached that state.
    """
    cutoff = months_before(today, months)
    return (
        select(Booking.id)
        .where(
            Booking.personal_data_erased_at.is_(None),
            or_(
                and_(Booking.status == BookingStatus.ENDED, Booking.end_date < cutoff),
                and_(
                    Booking.status.in_([BookingStatus.REJECTED, BookingStatus.CANCELLED, BookingStatus.EXPIRED]),
                    Booking.updated_at < start_of_day_utc(cutoff),
                ),
            ),
        )
        .order_by(Booking.id)
    )


def erase_personal_data(
    session: Session, booking: Booking, *, actor: Actor | None, basis: str, reason: str, now: datetime,
    decision: str | None = None, ip: str | None = None, document_dir: Path | None = None,
) -> ErasureRecord:
    """Erase one booking's participant name, contact and needs; record why (never what).

    basis is "retention" (the job, naming the retention decision) or "request" (GDPR art. 17).
    Raises Conflict if the fields are already erased. The booking's messages and documents
    go with them (rows, and the files in `document_dir`, Settings.resolved_document_dir()).
    """
    if booking.personal_data_erased_at is not None:
        raise Conflict("Personuppgifterna är redan gallrade.", code="already_erased")
    for name in PERSONAL_FIELDS:
        setattr(booking, name, None)
    booking.personal_data_erased_at = now
    session.add(booking)
    erased_messages, erased_documents = erase_collaboration(session, booking.id, directory=document_dir)
    erase_meetings(session, booking.id, now=now)  # meetings' notes and places, the summary's texts
    erase_follow_up_text(session, booking.id)  # attendance notes, follow-ups' words; counts and ratings stay
    record = ErasureRecord(booking_id=booking.id, booking_ref=booking.ref, erased_at=now,
                           erased_by_id=actor.user_id if actor else None, basis=basis, reason=reason)
    session.add(record)
    details = {"basis": basis, "messages": erased_messages, "documents": erased_documents}
    if decision:
        details["decision"] = decision
    if basis == "request":
        details["legal_basis"] = "GDPR art. 17"
    audit.record(session, actor=actor, action=ERASE_ACTION, object_type="booking", object_id=booking.id,
                 now=now, ip=ip, details=details)
    session.flush()
    return record


def bookings_of_same_participant(session: Session, booking: Booking) -> list[Booking]:
    """The booking and every other booking the same buyer made for the same participant reference."""
    return list(session.execute(
        select(Booking).where(
            Booking.buyer_organisation_id == booking.buyer_organisation_id,
            Booking.participant_reference == booking.participant_reference,
        ).order_by(Booking.id)
    ).scalars())


def erase_on_request(
    session: Session, booking: Booking, *, actor: Actor, reason: str, now: datetime, ip: str | None = None,
    document_dir: Path | None = None,
) -> list[ErasureRecord]:
    """GDPR art. 17: erase a participant's personal fields in all the buyer's bookings for them."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise Invalid("Ange skälet till gallringen (till exempel diarienumret för begäran).", field="reason")
    if len(reason) > 1000:
        raise Invalid("Skälet får vara högst 1000 tecken.", field="reason")
    records = [
        erase_personal_data(session, each, actor=actor, basis="request", reason=reason, now=now, ip=ip,
                            document_dir=document_dir)
        for each in bookings_of_same_participant(session, booking)
        if each.personal_data_erased_at is None
    ]
    if not records:
        raise Conflict("Personuppgifterna är redan gallrade.", code="already_erased")
    return records


# --- log review (loggkontroll) ----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Period":
        try:
            year, month = (int(part) for part in text.split("-"))
            if len(text) != 7 or not 1 <= month <= 12 or year < 2000:
                raise ValueError
        except ValueError:
            raise Invalid("Ange månaden som ÅÅÅÅ-MM.", field="period") from None
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def next(self) -> "Period":
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def bounds_utc(self) -> tuple[datetime, datetime]:
        return start_of_day_utc(self.first_day), start_of_day_utc(self.next.first_day)


def _reads_in(period: Period):
    start, end = period.bounds_utc
    return select(AuditLog.id).where(AuditLog.action == READ_PARTICIPANT, AuditLog.at >= start, AuditLog.at < end)


def draw_log_sample(session: Session, period: Period, size: int) -> tuple[int, list[AuditLog]]:
    """A reproducible random sample of a month's participant-data reads: (population, rows).

    The generator is seeded with the month, so the reviewer, a colleague and an auditor all
    draw the same rows for the same month and size.
    """
    ids = list(session.execute(_reads_in(period).order_by(AuditLog.id)).scalars())
    seed = int.from_bytes(hashlib.sha256(f"loggkontroll:{period}".encode()).digest()[:8], "big")
    chosen = sorted(random.Random(seed).sample(ids, min(size, len(ids))))
    rows = list(session.execute(select(AuditLog).where(AuditLog.id.in_(chosen)).order_by(AuditLog.at, AuditLog.id)).scalars()) if chosen else []
    return len(ids), rows


def get_log_review(session: Session, period: Period) -> LogReview | None:
    return session.execute(select(LogReview).where(LogReview.period == str(period))).scalar_one_or_none()


def record_log_review(
    session: Session, period: Period, *, actor: Actor, size: int, findings: str, deviations_found: bool,
    today: date, now: datetime, ip: str | None = None,
) -> LogReview:
    """Record that a month's sample was reviewed, by whom and with what findings (once per month)."""
    if period.next.first_day > today:
        raise Invalid("Månaden är inte slut än; granska en avslutad månad.", field="period")
    findings = (findings or "").strip()
    if not findings:
        raise Invalid("Beskriv vad granskningen visade (skriv till exempel ”Inga avvikelser”).", field="findings")
    if len(findings) > 5000:
        raise Invalid("Högst 5000 tecken.", field="findings")
    if get_log_review(session, period) is not None:
        raise Conflict(f"Loggkontrollen för {period} är redan registrerad.", code="already_reviewed")
    population, rows = draw_log_sample(session, period, size)
    review = LogReview(period=str(period), sample_size=len(rows), population=population,
                       sampled_ids=[row.id for row in rows], reviewer_id=actor.user_id, reviewed_at=now,
                       deviations_found=deviations_found, findings=findings)
    session.add(review)
    session.flush()
    audit.record(session, actor=actor, action="audit.log_review", object_type="log_review", object_id=review.id,
                 now=now, ip=ip, details={"period": str(period), "sample": len(rows), "population": population,
                                          "deviations_found": deviations_found})
    session.flush()
    return review


def reviewed_rows(session: Session, review: LogReview) -> list[AuditLog]:
    """The rows that were drawn when the review was recorded (kept, so the record stands)."""
    ids = list(review.sampled_ids or [])
    if not ids:
        return []
    return list(session.execute(select(AuditLog).where(AuditLog.id.in_(ids)).order_by(AuditLog.at, AuditLog.id)).scalars())


def count_reads(session: Session, period: Period) -> int:
    return session.execute(select(func.count()).select_from(_reads_in(period).subquery())).scalar_one()
