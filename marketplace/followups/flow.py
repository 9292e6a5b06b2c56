"""Use cases: keep a booking's follow-up schedule, record a follow-up, record a week's attendance.

Plain functions (STYLE 4.1): they validate, change rows, write the audit row and flush; the
adapter commits. No Flask, no clock: `today`/`now` come in as arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace import audit
from marketplace.auth.policy import Actor
from marketplace.bookings.public import Booking, BookingStatus
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.followups.schedule import due_dates

def N_(text: str) -> str:  # noqa: N802  (gettext's no-op marker: pages translate the message)
    return text


# Statuses whose placement runs (or will run on its start date) and so is followed up.
SCHEDULED_STATUSES = {BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value}
# Statuses in which attendance can be recorded: the placement has (or had) days to attend.
ATTENDANCE_STATUSES = {BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value, BookingStatus.ENDED.value}


@dataclass(frozen=True)
class ScheduleChange:
    added: int = 0
    moved: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.moved or self.removed)


def ensure_schedule(session: Session, booking: Booking, *, now: datetime) -> ScheduleChange:
    """Make the booking's open follow-ups match the rule for its current status and dates.

    Idempotent (a second call changes nothing). Sequence k is always the k-th due date from
    the start, so a later end date appends, an earlier end (early end, ended status) removes
    the open follow-ups due after it, and cancelled/rejected/expired bookings lose all open
    ones. Recorded follow-ups are never touched: they are the history.
    """
    existing = {f.sequence: f for f in session.execute(
        select(FollowUp).where(FollowUp.booking_id == booking.id)).scalars()}
    if booking.status in SCHEDULED_STATUSES or booking.status == BookingStatus.ENDED.value:
        wanted = dict(enumerate(due_dates(booking.start_date, booking.end_date), start=1))
    else:
        wanted = {}
    added = moved = removed = 0
    for sequence, followup in existing.items():
        if followup.is_done:
            continue
        if sequence not in wanted:
            session.delete(followup)
            removed += 1
        elif followup.due_date != wanted[sequence]:
            followup.due_date = wanted[sequence]
            moved += 1
    # Ended placements get no new follow-ups; the end (with its outcome) closes the case.
    if booking.status in SCHEDULED_STATUSES:
        for sequence, due in wanted.items():
            if sequence not in existing:
                session.add(FollowUp(booking_id=booking.id, sequence=sequence, due_date=due, created_at=now))
                added += 1
    session.flush()
    return ScheduleChange(added, moved, removed)


MAX_TEXT = 5000


@dataclass(frozen=True)
class FollowUpInput:
    """What a follow-up records (DOMAIN 3.6: goals, attendance, work capacity, own view, readiness)."""

    attendance_share: int | None
    capacity_physical: int | None
    capacity_mental: int | None
    capacity_social: int | None
    participant_view: str
    progress_goals: str
    progress_sub_goals: str = ""
    ready_took_part: bool = False
    ready_travels_alone: bool = False
    ready_no_active_substance_abuse: bool = False
    ready_handles_conflicts: bool = False
    ready_motivated: bool = False
    notes: str = ""


def _validate_followup(data: FollowUpInput) -> None:
    errors: list[tuple[str, str]] = []
    if data.attendance_share is not None and not 0 <= data.attendance_share <= 100:
        errors.append(("attendance_share", N_("Närvaron anges i procent, 0–100.")))
    for name in ("capacity_physical", "capacity_mental", "capacity_social"):
        value = getattr(data, name)
        if value is None:
            errors.append((name, N_("Välj ett värde 1–5.")))
        elif not 1 <= value <= 5:
            errors.append((name, N_("Arbetsförmågan anges på skalan 1–5.")))
    if not data.participant_view.strip():
        errors.append(("participant_view", N_("Skriv deltagarens egen uppfattning.")))
    if not data.progress_goals.strip():
        errors.append(("progress_goals", N_("Beskriv utvecklingen mot målen.")))
    for name in ("participant_view", "progress_goals", "progress_sub_goals", "notes"):
        if len(getattr(data, name)) > MAX_TEXT:
            errors.append((name, N_("Högst 5000 tecken.")))
    if errors:
        raise Invalid(N_("Uppföljningen har fel."), errors=errors)


def record_followup(session: Session, followup: FollowUp, booking: Booking, data: FollowUpInput, *,
                    actor: Actor, now: datetime) -> FollowUp:
    """Fill in a follow-up (or correct one already recorded); audited without its text.

    Raises Invalid with per-field errors; Conflict when the booking was cancelled or
    rejected (no placement to follow up).
    """
    if booking.status not in ATTENDANCE_STATUSES:
        raise Conflict(N_("Placeringen pågår inte; uppföljningen kan inte registreras."), code="followup_not_open")
    _validate_followup(data)
    correction = followup.is_done
    for item in fields(FollowUpInput):
        setattr(followup, item.name, getattr(data, item.name).strip() if isinstance(getattr(data, item.name), str)
                else getattr(data, item.name))
    followup.done_at = now
    followup.recorded_by_id = actor.user_id
    audit.record(session, actor=actor, action="followup.correct" if correction else "followup.record",
                 object_type="booking", object_id=booking.id, now=now,
                 details={"follow_up_id": followup.id, "sequence": followup.sequence})
    session.flush()
    return followup


def week_start_of(day: date) -> date:
    """The Monday of the ISO week that holds `day`."""
    return day - timedelta(days=day.weekday())


def monday_of_iso_week(text: str) -> date:
    """The Monday of an ISO week written YYYY-Www (2027-W03); Invalid for anything else."""
    try:
        year, week = text.split("-W")
        if len(year) != 4 or len(week) != 2 or not (year + week).isdigit():
            raise ValueError(text)
        return date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise Invalid(N_("Ange veckan som ÅÅÅÅ-Vnn, till exempel 2027-W03."), field="iso_week") from None


def iso_week_of(day: date) -> str:
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


MAX_ATTENDANCE_NOTE = 1000


def record_attendance(session: Session, booking: Booking, *, week_start: date, present_days: int,
                      absent_notified_days: int, absent_unnotified_days: int, actor: Actor, today: date,
                      now: datetime, note: str | None = None) -> AttendanceWeek:
    """Set one week's attendance counts (insert or change), auditing old -> new counts.

    The week must overlap the placement and not lie in the future; counts are whole days,
    at most the days of the week that fall inside the placement. `note` (at most 1000
    characters) replaces the week's note; None keeps it. Never names anyone in the audit
    row: counts only, and whether the note changed (DESIGN.md privacy).
    """
    if booking.status not in ATTENDANCE_STATUSES:
        raise Conflict(N_("Närvaro kan bara registreras för pågående eller avslutade placeringar."), code="attendance_not_open")
    errors: list[tuple[str, str]] = []
    counts = {"present_days": present_days, "absent_notified_days": absent_notified_days,
              "absent_unnotified_days": absent_unnotified_days}
    for name, value in counts.items():
        if value is None or value < 0:
            errors.append((name, N_("Ange ett antal dagar, 0 eller mer.")))
    monday = week_start_of(week_start)
    first, last = max(monday, booking.start_date), min(monday + timedelta(days=6), booking.end_date)
    if first > last:
        errors.append(("week_start", N_("Veckan ligger utanför placeringens period.")))
    elif monday > today:
        errors.append(("week_start", N_("Närvaro kan inte registreras för en kommande vecka.")))
    elif not errors and sum(counts.values()) > (last - first).days + 1:
        errors.append(("present_days", N_("Summan av dagarna är fler än veckans dagar i placeringen.")))
    note = None if note is None else note.strip()
    if note is not None and len(note) > MAX_ATTENDANCE_NOTE:
        errors.append(("note", N_("Högst 1000 tecken.")))
    if errors:
        raise Invalid(N_("Närvaron har fel."), errors=errors)
    row = session.execute(select(AttendanceWeek).where(
        AttendanceWeek.booking_id == booking.id, AttendanceWeek.week_start == monday)).scalar_one_or_none()
    old = None if row is None else {name: getattr(row, name) for name in counts}
    note_changed = note is not None and note != (row.note if row is not None else "")
    if old == counts and not note_changed:
        return row  # nothing changed: no audit row for a no-op save
    if row is None:
        row = AttendanceWeek(booking_id=booking.id, week_start=monday, updated_at=now)
        session.add(row)
    for name, value in counts.items():
        setattr(row, name, value)
    if note is not None:
        row.note = note
    row.recorded_by_id, row.updated_at = actor.user_id, now
    details = {"week_start": monday.isoformat(), "old": old, "new": counts}
    if note_changed:
        details["note_changed"] = True
    audit.record(session, actor=actor, action="attendance.record" if old is None else "attendance.change",
                 object_type="booking", object_id=booking.id, now=now, details=details)
    session.flush()
    return row
