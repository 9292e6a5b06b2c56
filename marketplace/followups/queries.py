"""Reads for follow-ups and attendance. Whatever touches a booking filters by what the actor may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, false, func, or_, select
from sqlalchemy.orm import Session

from catalog.models import Programme
from marketplace.auth import policy
from marketplace.auth.policy import Actor
from marketplace.bookings.public import Booking, BookingStatus, scope_condition
from marketplace.followups.models import AttendanceWeek, FollowUp

FOLLOWED_STATUSES = (BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value, BookingStatus.ENDED.value)
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class FollowUpRow:
    followup: FollowUp
    booking: Booking
    programme: Programme

    def is_overdue(self, today: date) -> bool:
        return not self.followup.is_done and self.followup.due_date < today


def _visible_to(actor: Actor):
    """Bookings the actor follows up: those whose participant policy lets it see (bought by its
    organisation for staff, provided by it for coordinators, in its programmes for supervisors)."""
    condition = scope_condition(policy.booking_scope(actor, participant=True))
    return condition if condition is not None else false()


def get_followup(session: Session, followup_id: int) -> FollowUpRow | None:
    row = session.execute(
        select(FollowUp, Booking, Programme)
        .join(Booking, Booking.id == FollowUp.booking_id)
        .join(Programme, Programme.id == Booking.programme_id)
        .where(FollowUp.id == followup_id)
    ).first()
    return FollowUpRow(*row) if row else None


def get_booking_with_programme(session: Session, booking_id: int) -> tuple[Booking, Programme] | None:
    row = session.execute(select(Booking, Programme).join(Programme, Programme.id == Booking.programme_id)
                          .where(Booking.id == booking_id)).first()
    return (row[0], row[1]) if row else None


def _open_for_actor(actor: Actor, *, until: date):
    return (
        select(FollowUp, Booking, Programme)
        .join(Booking, Booking.id == FollowUp.booking_id)
        .join(Programme, Programme.id == Booking.programme_id)
        .where(FollowUp.done_at.is_(None), FollowUp.due_date <= until,
               Booking.status.in_(FOLLOWED_STATUSES), _visible_to(actor))
    )


def list_open_followups(session: Session, actor: Actor, *, today: date, offset: int = 0, limit: int = 50,
                        horizon_days: int = DUE_SOON_DAYS) -> tuple[list[FollowUpRow], int]:
    """Open follow-ups due within `horizon_days` (and every overdue one), oldest due first."""
    query = _open_for_actor(actor, until=today + timedelta(days=horizon_days))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(FollowUp.due_date, FollowUp.id).offset(offset).limit(limit)).all()
    return [FollowUpRow(*row) for row in rows], total


def count_overdue(session: Session, actor: Actor, *, today: date) -> int:
    query = _open_for_actor(actor, until=today - timedelta(days=1))
    return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def list_recent_done(session: Session, actor: Actor, *, limit: int = 20) -> list[FollowUpRow]:
    rows = session.execute(
        select(FollowUp, Booking, Programme)
        .join(Booking, Booking.id == FollowUp.booking_id)
        .join(Programme, Programme.id == Booking.programme_id)
        .where(FollowUp.done_at.is_not(None), _visible_to(actor))
        .order_by(FollowUp.done_at.desc()).limit(limit)
    ).all()
    return [FollowUpRow(*row) for row in rows]


def followups_for_booking(session: Session, booking_id: int) -> list[FollowUp]:
    return list(session.execute(select(FollowUp).where(FollowUp.booking_id == booking_id)
                                .order_by(FollowUp.sequence)).scalars())


def attendance_weeks(session: Session, booking_id: int) -> list[AttendanceWeek]:
    return list(session.execute(select(AttendanceWeek).where(AttendanceWeek.booking_id == booking_id)
                                .order_by(AttendanceWeek.week_start.desc())).scalars())


@dataclass(frozen=True)
class AttendanceSummary:
    present: int
    absent_notified: int
    absent_unnotified: int

    @property
    def planned(self) -> int:
        return self.present + self.absent_notified + self.absent_unnotified

    @property
    def share(self) -> int | None:
        """Whole percent of planned days present, or None when nothing was recorded."""
        return None if not self.planned else (self.present * 100 + self.planned // 2) // self.planned


def attendance_summary(session: Session, booking_id: int, *, from_date: date | None = None,
                       to_date: date | None = None) -> AttendanceSummary:
    """Sum of recorded weeks whose Monday lies in [from_date, to_date] (both optional)."""
    query = select(func.coalesce(func.sum(AttendanceWeek.present_days), 0),
                   func.coalesce(func.sum(AttendanceWeek.absent_notified_days), 0),
                   func.coalesce(func.sum(AttendanceWeek.absent_unnotified_days), 0)
                   ).where(AttendanceWeek.booking_id == booking_id)
    if from_date is not None:
        query = query.where(AttendanceWeek.week_start >= from_date - timedelta(days=6))
    if to_date is not None:
        query = query.where(AttendanceWeek.week_start <= to_date)
    return AttendanceSummary(*(int(v) for v in session.execute(query).one()))


def attendance_since_previous(session: Session, row: FollowUpRow) -> AttendanceSummary:
    """Attendance for the stretch this follow-up covers: since the previous one (or the start)."""
    previous = session.execute(select(FollowUp.due_date).where(
        FollowUp.booking_id == row.booking.id, FollowUp.sequence < row.followup.sequence
    ).order_by(FollowUp.sequence.desc()).limit(1)).scalar_one_or_none()
    start = previous + timedelta(days=1) if previous else row.booking.start_date
    return attendance_summary(session, row.booking.id, from_date=start, to_date=row.followup.due_date)


def overdue_unreminded(session: Session, *, today: date, limit: int = 500) -> list[tuple[FollowUp, Booking, Programme]]:
    """Overdue open follow-ups nobody has been reminded of yet (the reminder job's work list)."""
    return list(session.execute(
        select(FollowUp, Booking, Programme)
        .join(Booking, Booking.id == FollowUp.booking_id)
        .join(Programme, Programme.id == Booking.programme_id)
        .where(FollowUp.done_at.is_(None), FollowUp.reminded_at.is_(None), FollowUp.due_date < today,
               Booking.status.in_(FOLLOWED_STATUSES))
        .order_by(FollowUp.due_date, FollowUp.id).limit(limit)
    ).all())


def bookings_needing_schedule(session: Session, *, after_id: int = 0, limit: int = 1000) -> list[Booking]:
    """Bookings whose open follow-ups may not match the rule: running ones with no follow-up
    rows at all, and ended/cancelled ones that still have open follow-ups due after their end.

    The signal keeps schedules in step; this sweep only repairs what it missed. Keyset
    paging (after_id) lets the job walk every candidate once even when some need no change.
    """
    open_after_end = exists().where(FollowUp.booking_id == Booking.id, FollowUp.done_at.is_(None),
                                    or_(FollowUp.due_date > Booking.end_date,
                                        Booking.status.not_in(FOLLOWED_STATUSES)))
    no_rows = ~exists().where(FollowUp.booking_id == Booking.id)
    return list(session.execute(
        select(Booking).where(Booking.id > after_id, or_(
            and_(Booking.status.in_((BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value)), no_rows),
            open_after_end,
        )).order_by(Booking.id).limit(limit)
    ).scalars())


def followups_page(session: Session, booking_id: int, *, offset: int, limit: int) -> tuple[list[FollowUp], int]:
    """One page of the booking's follow-ups in sequence order, and how many there are."""
    query = select(FollowUp).where(FollowUp.booking_id == booking_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    return list(session.execute(query.order_by(FollowUp.sequence).offset(offset).limit(limit)).scalars()), total


def attendance_page(session: Session, booking_id: int, *, offset: int, limit: int) -> tuple[list[AttendanceWeek], int]:
    """One page of the booking's recorded weeks, oldest first, and how many there are."""
    query = select(AttendanceWeek).where(AttendanceWeek.booking_id == booking_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    return list(session.execute(query.order_by(AttendanceWeek.week_start).offset(offset).limit(limit)).scalars()), total


def followup_to_record(session: Session, booking_id: int, sequence: int | None) -> FollowUp | None:
    """The follow-up with this sequence, or (no sequence) the first one not yet recorded."""
    query = select(FollowUp).where(FollowUp.booking_id == booking_id)
    if sequence is None:
        query = query.where(FollowUp.done_at.is_(None))
    else:
        query = query.where(FollowUp.sequence == sequence)
    return session.execute(query.order_by(FollowUp.sequence).limit(1)).scalar_one_or_none()
