"""The attendance file of a month for the provider's coordinators: one row per placement and
ISO week that overlaps both the month and the placement, recorded or not. No Flask."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation, Programme
from marketplace import audit
from marketplace.auth import policy
from marketplace.auth.policy import Actor
from marketplace.bookings.public import Booking, record_participant_read
from marketplace.followups import flow
from marketplace.followups.models import AttendanceWeek
from marketplace.followups.queries import FOLLOWED_STATUSES
from marketplace.i18n import N_
from marketplace.kernel.errors import Invalid

COLUMNS = (
    N_("Referens"), N_("Insats"), N_("Beställare"), N_("Deltagarens referens"), N_("Deltagarens namn"), N_("Vecka"),
    N_("Veckan börjar"), N_("Dagar i månaden och placeringen"), N_("Närvarande dagar"),
    N_("Frånvaro med anmälan (dagar)"), N_("Frånvaro utan anmälan (dagar)"), N_("Planerade dagar"), N_("Anteckning"),
    N_("Registrerad"),
)


@dataclass(frozen=True)
class MonthRows:
    rows: list[list]
    participants_shown: list[Booking]


def parse_month(text: str) -> tuple[date, date]:
    """The first and last day of a month written YYYY-MM; Invalid for anything else."""
    try:
        year, month = (int(part) for part in text.split("-"))
        if len(text) != 7 or not 2000 <= year <= 2100:
            raise ValueError(text)
        return date(year, month, 1), date(year, month, monthrange(year, month)[1])
    except ValueError:
        raise Invalid(N_("Välj en månad (ÅÅÅÅ-MM)."), field="month") from None


def month_rows(session: Session, actor: Actor, *, first: date, last: date, recorded_label: str) -> MonthRows:
    """The provider's placements (approved, active, ended) that overlap the month, week by week."""
    bookings = session.execute(
        select(Booking, Programme, Organisation)
        .join(Programme, Programme.id == Booking.programme_id)
        .join(Organisation, Organisation.id == Booking.buyer_organisation_id)
        .where(Programme.organisation_id == actor.organisation_id, Booking.status.in_(FOLLOWED_STATUSES),
               Booking.start_date <= last, Booking.end_date >= first)
        .order_by(Programme.name, Booking.ref)).all()
    weeks: dict[tuple[int, date], AttendanceWeek] = {}
    if bookings:
        for week in session.execute(select(AttendanceWeek).where(
                AttendanceWeek.booking_id.in_([b.id for b, _p, _o in bookings]),
                AttendanceWeek.week_start >= flow.week_start_of(first), AttendanceWeek.week_start <= last)).scalars():
            weeks[(week.booking_id, week.week_start)] = week
    rows, shown_for = [], []
    for booking, programme, buyer in bookings:
        shown = policy.can_see_participant(actor, booking.buyer_organisation_id, programme.organisation_id,
                                           programme.id)
        if shown:
            shown_for.append(booking)
        monday = flow.week_start_of(max(first, booking.start_date))
        while monday <= min(last, booking.end_date):
            inside = (min(monday + timedelta(days=6), last, booking.end_date) - max(monday, first, booking.start_date)).days + 1
            week = weeks.get((booking.id, monday))
            counts = ([week.present_days, week.absent_notified_days, week.absent_unnotified_days, week.planned_days,
                       week.note or None, recorded_label] if week else [None, None, None, None, None, None])
            rows.append([booking.ref, programme.name, buyer.name, booking.participant_reference if shown else None,
                         booking.participant_name if shown else None, flow.iso_week_of(monday), monday, inside,
                         *counts])
            monday += timedelta(days=7)
    return MonthRows(rows, shown_for)


def record_export(session: Session, actor: Actor, data: MonthRows, *, month: str, now: datetime,
                  ip: str | None) -> None:
    """One row for the download, and a participant read per placement the file names."""
    audit.record(session, actor=actor, action="attendance.export", object_type="organisation",
                 object_id=actor.organisation_id, now=now, ip=ip,
                 details={"month": month, "format": "xlsx", "rows": len(data.rows)})
    for booking in data.participants_shown:
        record_participant_read(session, booking, actor=actor, now=now, ip=ip, via="export-attendance-xlsx")
