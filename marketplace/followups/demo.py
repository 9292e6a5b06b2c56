"""Demo step: schedules, some weekly attendance and recorded follow-ups for the demo placements.

Idempotent: weeks and follow-ups already recorded are left alone. Skips quietly when the
demo has no running or ended placements yet.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Programme
from marketplace.auth.accounts import actor_for_user
from marketplace.auth.models import Role, User
from marketplace.bookings.public import Booking, BookingStatus
from marketplace.followups import flow, queries
from marketplace.followups.models import AttendanceWeek

DEMO_WEEKS = 8


def _coordinator(session: Session, organisation_id: int):
    for user in session.execute(select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
                                .order_by(User.id)).scalars():
        if user.has_role(Role.COORDINATOR):
            return actor_for_user(session, user)
    return None


def seed_followups(session: Session, *, today: date, now: datetime) -> str:
    rows = session.execute(select(Booking, Programme).join(Programme, Programme.id == Booking.programme_id).where(
        Booking.status.in_((BookingStatus.ACTIVE.value, BookingStatus.ENDED.value, BookingStatus.APPROVED.value)),
        Booking.start_date <= today).order_by(Booking.id)).all()
    if not rows:
        return "Demo follow-ups: no running or ended placements yet, nothing to do"
    weeks = followups = 0
    for index, (booking, programme) in enumerate(rows):
        flow.ensure_schedule(session, booking, now=now)
        actor = _coordinator(session, programme.organisation_id)
        if actor is None:
            continue
        last_day = min(today - timedelta(days=1), booking.end_date)
        monday = flow.week_start_of(last_day)
        for step in range(DEMO_WEEKS):
            week = monday - timedelta(weeks=step)
            if week + timedelta(days=6) < booking.start_date:
                break
            exists = session.execute(select(AttendanceWeek.id).where(
                AttendanceWeek.booking_id == booking.id, AttendanceWeek.week_start == week)).first()
            if exists:
                continue
            days = (min(week + timedelta(days=4), last_day) - max(week, booking.start_date)).days + 1
            if days <= 0:
                continue
            # A varied but repeatable pattern: some weeks with notified or unnotified absence.
            unnotified = 1 if (booking.id + step) % 5 == 0 and days > 1 else 0
            notified = 1 if (booking.id + step) % 3 == 0 and days - unnotified > 1 else 0
            flow.record_attendance(session, booking, week_start=week, present_days=days - notified - unnotified,
                                   absent_notified_days=notified, absent_unnotified_days=unnotified,
                                   actor=actor, today=today, now=now)
            weeks += 1
        open_due = [f for f in queries.followups_for_booking(session, booking.id) if not f.is_done and f.due_date < today]
        # Leave the newest overdue follow-up open on every other placement, so reminders show in the demo.
        to_record = open_due if index % 2 else open_due[:-1]
        for number, followup in enumerate(to_record):
            level = 2 + (booking.id + number) % 3
            flow.record_followup(session, followup, booking, flow.FollowUpInput(
                attendance_share=70 + (booking.id * 7 + number * 5) % 30,
                capacity_physical=min(5, level + 1), capacity_mental=level, capacity_social=max(1, level - 1),
                participant_view="Trivs med arbetsuppgifterna och vill prova fler dagar i veckan.",
                progress_goals="Kommer i tid de flesta dagar; klarar längre arbetspass.",
                progress_sub_goals="Delmålet om regelbunden närvaro är nått.",
                ready_took_part=True, ready_travels_alone=level >= 3, ready_no_active_substance_abuse=True,
                ready_handles_conflicts=level >= 3, ready_motivated=level >= 4,
                notes=""), actor=actor, now=now)
            followups += 1
    return f"Demo follow-ups: {len(rows)} placements scheduled, {weeks} attendance weeks and {followups} follow-ups recorded"
