"""Pages: the actor's due and overdue follow-ups, recording one, and a booking's weekly attendance.

Also the start-page panel and the template global the booking page's partial uses.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.kernel import clock, http
from marketplace.i18n import format_day
from marketplace.shell import home
from marketplace.auth import policy
from marketplace.bookings.public import record_participant_read
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.followups import flow, queries
from marketplace.followups.forms import AttendanceForm, FollowUpForm
from marketplace.stats.public import outcome_label

bp = Blueprint("followups", __name__)

READINESS_FIELDS = ("ready_took_part", "ready_travels_alone", "ready_no_active_substance_abuse",
                    "ready_handles_conflicts", "ready_motivated")


def _provider_id(programme) -> int:
    return programme.organisation_id


def _may_see(actor, booking, programme) -> bool:
    """Follow-ups and attendance are participant data: those who may see the participant (else 404)."""
    return policy.can_see_participant(actor, booking.buyer_organisation_id, _provider_id(programme), programme.id)


def _visible_booking(session, actor, booking_id: int):
    found = queries.get_booking_with_programme(session, booking_id)
    if found is None or not _may_see(actor, *found):
        abort(404)
    return found


def _audit_read(session, actor, booking) -> None:
    """Follow-up and attendance pages show participant data: every read is logged (DESIGN.md)."""
    with transaction(session):
        record_participant_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(),
                                             via=request.endpoint)


@bp.get("/uppfoljningar")
@login_required
def index():
    actor, session = http.current_actor(), http.request_session()
    today = clock.today()
    page = http.page_args(default_per_page=50)
    rows, total = queries.list_open_followups(session, actor, today=today, offset=page.offset, limit=page.per_page)
    done = queries.list_recent_done(session, actor, limit=10)
    return render_template("marketplace/followups/index.html", rows=rows, total=total, page=page, done=done,
                           today=today, overdue=queries.count_overdue(session, actor, today=today))


def _apply_errors(form, error: Invalid) -> None:
    for field, message in error.errors:
        target = getattr(form, field, None)
        (target.errors if target is not None else form.form_errors).append(_(message))


@bp.route("/uppfoljningar/<int:followup_id>", methods=["GET", "POST"])
@login_required
def record(followup_id: int):
    actor, session = http.current_actor(), http.request_session()
    row = queries.get_followup(session, followup_id)
    if row is None or not _may_see(actor, row.booking, row.programme):
        abort(404)
    if not policy.can_record_followup(actor, row.booking.buyer_organisation_id, _provider_id(row.programme), row.programme.id):
        abort(403)
    attendance = queries.attendance_since_previous(session, row)
    form = FollowUpForm(obj=row.followup if row.followup.is_done else None)
    if request.method == "GET":
        if row.followup.is_done:
            for name in ("capacity_physical", "capacity_mental", "capacity_social"):
                getattr(form, name).data = str(getattr(row.followup, name))
        elif attendance.share is not None:
            form.attendance_share.data = attendance.share
    if form.validate_on_submit():
        data = flow.FollowUpInput(
            attendance_share=form.attendance_share.data,
            capacity_physical=int(form.capacity_physical.data),
            capacity_mental=int(form.capacity_mental.data),
            capacity_social=int(form.capacity_social.data),
            participant_view=form.participant_view.data,
            progress_goals=form.progress_goals.data,
            progress_sub_goals=form.progress_sub_goals.data or "",
            notes=form.notes.data or "",
            **{name: bool(getattr(form, name).data) for name in READINESS_FIELDS},
        )
        try:
            with transaction(session):
                flow.record_followup(session, row.followup, row.booking, data, actor=actor, now=clock.now())
        except Invalid as error:
            _apply_errors(form, error)
        except Conflict as error:
            flash(_(error.message), "error")
            return redirect(url_for(".index"))
        else:
            flash(_("Uppföljningen är sparad."), "success")
            return redirect(url_for(".index"))
    _audit_read(session, actor, row.booking)
    return render_template("marketplace/followups/record.html", row=row, form=form, attendance=attendance,
                           readiness_fields=READINESS_FIELDS, next_step=http.settings().next_step_name,
                           today=clock.today(), outcome_label=outcome_label), 422 if form.errors else 200


@bp.route("/uppfoljningar/placering/<int:booking_id>/narvaro", methods=["GET", "POST"])
@login_required
def attendance(booking_id: int):
    actor, session = http.current_actor(), http.request_session()
    booking, programme = _visible_booking(session, actor, booking_id)
    may_record = policy.can_record_attendance(actor, _provider_id(programme), programme.id)
    form = AttendanceForm()
    if request.method == "GET" and form.week_start.data is None:
        form.week_start.data = flow.week_start_of(min(clock.today(), booking.end_date))
    if request.method == "POST":
        if not may_record:
            abort(403)
        if form.validate_on_submit():
            try:
                with transaction(session):
                    flow.record_attendance(
                        session, booking, week_start=form.week_start.data, present_days=form.present_days.data,
                        absent_notified_days=form.absent_notified_days.data,
                        absent_unnotified_days=form.absent_unnotified_days.data, note=form.note.data or "",
                        actor=actor, today=clock.today(), now=clock.now())
            except Invalid as error:
                _apply_errors(form, error)
            except Conflict as error:
                form.form_errors.append(_(error.message))
            else:
                flash(_("Närvaron är sparad."), "success")
                return redirect(url_for(".attendance", booking_id=booking.id))
    _audit_read(session, actor, booking)
    weeks = queries.attendance_weeks(session, booking.id)
    return render_template("marketplace/followups/attendance.html", booking=booking, programme=programme, form=form,
                           weeks=weeks, summary=queries.attendance_summary(session, booking.id),
                           may_record=may_record), 422 if form.errors else 200


# --- start page and the booking page's partial ----------------------------------------------------


def followup_panels(session, actor) -> list[home.Panel]:
    """Due and overdue follow-ups for the buyer's staff and the provider's coordinators."""
    if not policy.can_list_followups(actor):
        return []
    today = clock.today()
    rows, total = queries.list_open_followups(session, actor, today=today, limit=6)
    items = []
    for row in rows:
        if row.is_overdue(today):
            note = _("försenad, skulle gjorts %(day)s", day=format_day(row.followup.due_date))
        else:
            note = _("senast %(day)s", day=format_day(row.followup.due_date))
        items.append(home.PanelItem(text=_("%(ref)s · %(programme)s – uppföljning %(n)s", ref=row.booking.ref,
                                           programme=row.programme.name, n=row.followup.sequence),
                                    url=url_for("followups.record", followup_id=row.followup.id), note=note))
    overdue = queries.count_overdue(session, actor, today=today)
    title = _("Uppföljningar (%(overdue)s försenade)", overdue=overdue) if overdue else _("Uppföljningar")
    return [home.Panel(title=title, items=items,
                       empty_text=_("Inga uppföljningar väntar de närmaste två veckorna."),
                       more_url=url_for("followups.index"),
                       more_text=_("Alla uppföljningar (%(total)s)", total=total))]


if followup_panels not in home.PANEL_PROVIDERS:
    home.PANEL_PROVIDERS.append(followup_panels)


@bp.app_template_global()
def followup_section(booking) -> dict:
    """Data for templates/marketplace/followups/_booking_section.html on the booking page.

    Checks visibility itself, so including the partial can never leak a booking.
    """
    actor, session = http.current_actor(), http.request_session()
    found = queries.get_booking_with_programme(session, booking.id)
    if actor is None or found is None:
        return {"visible": False}
    booking, programme = found
    if not _may_see(actor, booking, programme):
        return {"visible": False}
    return {
        "visible": True,
        "booking": booking,
        "followups": queries.followups_for_booking(session, booking.id),
        "attendance": queries.attendance_summary(session, booking.id),
        "may_record": policy.can_record_followup(actor, booking.buyer_organisation_id, programme.organisation_id, programme.id),
        "may_record_attendance": policy.can_record_attendance(actor, programme.organisation_id, programme.id),
        "today": clock.today(),
        "next_step": http.settings().next_step_name,
        "outcome_label": outcome_label,
    }
