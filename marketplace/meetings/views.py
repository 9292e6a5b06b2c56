"""Pages of meetings and the summary: plan and cancel meetings (with the .ics to download),
write the summary of an ended placement and print it (one A4, print stylesheet).

Only those who may see the booking's participant see any of it (else 404); every page read
is audited. Rules live in service and auth/policy.py."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import and_, exists, select

from catalog.models import Organisation, Programme
from marketplace.auth import policy
from marketplace.auth.models import Role
from marketplace.bookings.public import Booking, BookingStatus, get_collaborating_booking
from marketplace.followups.public import AttendanceWeek, FollowUp
from marketplace.kernel import clock, http
from marketplace.i18n import format_day
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from marketplace.meetings import ics, service
from marketplace.meetings.forms import KIND_LABELS, MeetingForm, SummaryForm
from marketplace.meetings.models import Meeting
from marketplace.shell import home

bp = Blueprint("meetings", __name__)

MESSAGES = {
    "booking_not_open": lambda: _("Möten kan bara bokas för förfrågningar och placeringar som pågår eller har avslutats."),
    "meeting_cancelled": lambda: _("Mötet är redan inställt."),
    "booking_not_ended": lambda: _("Avslutsrapporten skrivs när placeringen har avslutats."),
    "already_erased": lambda: _("Personuppgifterna är gallrade."),
}


def _message(error: DomainError) -> str:
    known = MESSAGES.get(error.code or "")
    return known() if known else _("Uppgifterna kunde inte sparas. Kontrollera fälten.")


def _visible(session, actor, booking_id: int):
    return get_collaborating_booking(session, actor, booking_id) or abort(404)


def _audit(session, booking, actor, what: str) -> None:
    with transaction(session, write_lock=True):
        service.record_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(), what=what)


def _render_meetings(session, actor, booking, provider, form=None, status=200):
    _audit(session, booking, actor, "meeting")
    if form is None:
        start = (clock.now().astimezone(STOCKHOLM) + timedelta(days=1)).replace(hour=10, minute=0, second=0,
                                                                              microsecond=0, tzinfo=None)
        form = MeetingForm(formdata=None, starts_at=start, ends_at=start + timedelta(hours=1))
    programme = session.get(Programme, booking.programme_id)
    return render_template(
        "marketplace/meetings/meetings.html", booking=booking, programme=programme, form=form,
        meetings=service.meetings_of(session, booking.id), kind_labels=KIND_LABELS,
        can_plan=policy.can_plan_meeting(actor, booking.buyer_organisation_id, provider),
    ), status


@bp.get("/placeringar/<int:booking_id>/moten")
@login_required
def meetings(booking_id: int):
    actor = http.current_actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, booking_id)
    return _render_meetings(session, actor, booking, provider)


@bp.post("/placeringar/<int:booking_id>/moten")
@login_required
def plan(booking_id: int):
    actor = http.current_actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, booking_id)
    if not policy.can_plan_meeting(actor, booking.buyer_organisation_id, provider):
        abort(403)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _render_meetings(session, actor, booking, provider, form, 422)
    if form.ends_at.data <= form.starts_at.data:
        form.ends_at.errors.append(_("Mötet måste sluta efter att det börjar."))
        return _render_meetings(session, actor, booking, provider, form, 422)
    data = service.MeetingIn(kind=form.kind.data, starts_at=form.starts_at.data.replace(tzinfo=STOCKHOLM),
                             ends_at=form.ends_at.data.replace(tzinfo=STOCKHOLM), location=form.location.data,
                             note=form.note.data)
    try:
        with transaction(session, write_lock=True):
            service.plan_meeting(session, booking, provider, data, actor=actor, now=clock.now())
    except DomainError as error:
        flash(_message(error), "error")
        return _render_meetings(session, actor, booking, provider, form, error.status)
    flash(_("Mötet är inbokat. Båda parter får inbjudan med e-post."), "success")
    return redirect(url_for(".meetings", booking_id=booking.id))


def _meeting(session, booking, meeting_id: int) -> Meeting:
    meeting = service.meeting_of(session, booking.id, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


@bp.get("/placeringar/<int:booking_id>/moten/<int:meeting_id>.ics")
@login_required
def meeting_ics(booking_id: int, meeting_id: int):
    actor = http.current_actor()
    session = http.request_session()
    booking, _provider = _visible(session, actor, booking_id)
    meeting = _meeting(session, booking, meeting_id)
    _audit(session, booking, actor, "meeting")
    programme = session.get(Programme, booking.programme_id)
    text = ics.calendar_text(meeting, ref=booking.ref, programme_name=programme.name, now=clock.now())
    return Response(text, content_type=ics.content_type(meeting),
                    headers={"Content-Disposition": f'attachment; filename="{ics.filename(meeting, booking.ref)}"'})


@bp.post("/placeringar/<int:booking_id>/moten/<int:meeting_id>/stall-in")
@login_required
def cancel(booking_id: int, meeting_id: int):
    actor = http.current_actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, booking_id)
    meeting = _meeting(session, booking, meeting_id)
    if not policy.can_plan_meeting(actor, booking.buyer_organisation_id, provider):
        abort(403)
    try:
        with transaction(session, write_lock=True):
            service.cancel_meeting(session, booking, provider, meeting, actor=actor, now=clock.now())
    except DomainError as error:
        flash(_message(error), "error")
        return redirect(url_for(".meetings", booking_id=booking.id))
    flash(_("Mötet är inställt. Båda parter får avbokningen med e-post."), "success")
    return redirect(url_for(".meetings", booking_id=booking.id))


# --- summary (avslutsrapport) ----------------------------------------------------------------


def _render_summary(session, actor, booking, provider, form=None, status=200):
    _audit(session, booking, actor, "summary")
    summary = service.summary_of(session, booking.id)
    programme = session.get(Programme, booking.programme_id)
    can_write = policy.can_write_summary(actor, provider) and booking.status == BookingStatus.ENDED.value
    if form is None and can_write:
        form = SummaryForm(formdata=None, obj=summary) if summary else SummaryForm(formdata=None)
    followups = list(session.execute(select(FollowUp).where(FollowUp.booking_id == booking.id)
                                     .order_by(FollowUp.sequence)).scalars())
    weeks = list(session.execute(select(AttendanceWeek).where(AttendanceWeek.booking_id == booking.id)
                                 .order_by(AttendanceWeek.week_start)).scalars())
    return render_template(
        "marketplace/meetings/summary.html", booking=booking, programme=programme,
        provider=session.get(Organisation, provider), buyer=session.get(Organisation, booking.buyer_organisation_id),
        summary=summary, form=form if can_write else None, followups=followups, weeks=weeks,
        meetings=service.meetings_of(session, booking.id), kind_labels=KIND_LABELS, printed_at=clock.now(),
    ), status


@bp.get("/placeringar/<int:booking_id>/avslutsrapport")
@login_required
def summary(booking_id: int):
    actor = http.current_actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, booking_id)
    return _render_summary(session, actor, booking, provider)


@bp.post("/placeringar/<int:booking_id>/avslutsrapport")
@login_required
def write_summary(booking_id: int):
    actor = http.current_actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, booking_id)
    if not policy.can_write_summary(actor, provider):
        abort(403)
    form = SummaryForm()
    if not form.validate_on_submit():
        return _render_summary(session, actor, booking, provider, form, 422)
    try:
        with transaction(session, write_lock=True):
            service.write_summary(session, booking, {name: getattr(form, name).data for name in service.SUMMARY_FIELDS},
                                  actor=actor, now=clock.now())
    except DomainError as error:
        flash(_message(error), "error")
        return _render_summary(session, actor, booking, provider, form, error.status)
    flash(_("Avslutsrapporten är sparad. Beställaren har fått besked."), "success")
    return redirect(url_for(".summary", booking_id=booking.id))


# --- start page ----------------------------------------------------------------------------------


def approved_without_start_meeting(session, actor, limit: int = 5) -> list[Booking]:
    """The coordinator's organisation's approved or running placements with no start meeting planned."""
    has_start = exists().where(and_(Meeting.booking_id == Booking.id, Meeting.kind == "start",
                                    Meeting.cancelled_at.is_(None)))
    return list(session.execute(
        select(Booking).join(Programme, Programme.id == Booking.programme_id)
        .where(Programme.organisation_id == actor.organisation_id,
               Booking.status.in_([BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value]), ~has_start)
        .order_by(Booking.start_date, Booking.id).limit(limit)
    ).scalars())


def _panels(session, actor) -> list[home.Panel]:
    if not actor.has(Role.COORDINATOR):
        return []
    bookings = approved_without_start_meeting(session, actor)
    return [home.Panel(
        title=_("Startmöte saknas"),
        items=[home.PanelItem(b.ref, url_for("meetings.meetings", booking_id=b.id),
                              note=_("start %(date)s", date=format_day(b.start_date))) for b in bookings],
        empty_text=_("Alla godkända placeringar har ett startmöte."),
    )]


if _panels not in home.PANEL_PROVIDERS:
    home.PANEL_PROVIDERS.append(_panels)
