"""Pages of the booking flow: request a place, my placements, incoming requests, a booking
with its timeline and the actions allowed now, and a programme's occupancy calendar.

Thin adapters (STYLE.md §4.1 rule 2): rules live in flow/capacity/policy; this module maps
domain errors to Swedish messages.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from catalog.models import Organisation, Programme, ProgrammeStatus, TargetGroup
from marketplace.kernel import clock, http
from marketplace.i18n import current_locale, format_day
from marketplace.shell import home
from marketplace.auth import policy
from marketplace.auth.forms import ConfirmForm
from marketplace.auth.models import Role
from marketplace.bookings import capacity, flow, forwarding, queries, states
from marketplace.bookings.forms import (
    OUTCOME_LABELS, STATUS_LABELS, BookingRequestForm, EndForm, ExtensionForm, ForwardForm, ReasonForm,
)
from marketplace.bookings.models import Booking, BookingStatus
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError, Invalid

bp = Blueprint("bookings", __name__)

# flow's field names -> the form's fields
FORM_FIELDS = {
    "start_date": "start_date", "end_date": "end_date", "participant.reference": "participant_reference",
    "participant.name": "participant_name", "assignment.purpose": "purpose", "assignment.goals": "goals",
    "assignment.tasks": "tasks", "decision.date": "decision_date", "decision.reference": "decision_reference",
    "reason": "reason", "outcome": "outcome", "participant.age": "participant_age",
}
STATUS_BADGES = {
    "requested": "badge-warning", "waitlisted": "badge-muted", "approved": "badge-success", "active": "badge-success",
    "ended": "badge", "rejected": "badge-danger", "cancelled": "badge-muted", "expired": "badge-muted",
}


def _age_message(programme) -> str:
    """The refusal of a participant outside the programme's age range, naming the range."""
    if programme.min_age is not None and programme.max_age is not None:
        return _("Insatsen är för deltagare som är %(min)s–%(max)s år.", min=programme.min_age, max=programme.max_age)
    if programme.min_age is not None:
        return _("Insatsen är för deltagare som är minst %(min)s år.", min=programme.min_age)
    return _("Insatsen är för deltagare som är högst %(max)s år.", max=programme.max_age)


def _message(error: DomainError, field: str | None = None) -> str:
    """A domain error in Swedish, chosen by its stable code (and field for invalid input)."""
    by_field = {
        "programme_id": _("Insatsen finns inte eller är inte publicerad."),
        "start_date": _("Startdatum har redan passerat."),
        "participant.reference": _("Ange deltagarens referens."),
        "participant.name": _("Ange deltagarens namn."),
        "assignment.purpose": _("Ange syftet med insatsen."),
        "assignment.goals": _("Ange målen."),
        "assignment.tasks": _("Ange arbetsuppgifterna."),
        "decision.date": _("Beslutsdatum kan inte ligga i framtiden."),
        "decision.reference": _("Ange beslutets diarienummer tillsammans med datumet."),
        "reason": _("Skriv en motivering."),
        "outcome": _("Välj ett utfall."),
    }
    if error.code == "invalid" and field == "end_date":
        text = error.message
        if "before the start" in text:
            return _("Slutdatum ligger före startdatum.")
        if "at most" in text and "weeks" in text:
            return _("Insatsen tar emot deltagare i högst %(weeks)s veckor.", weeks=text.split("at most ")[1].split(" ")[0])
        if "after the planned end" in text:
            return _("Slutdatum ligger efter planerat slut. Begär en förlängning i stället.")
        if "must be after" in text:
            return _("Det nya slutdatumet måste ligga efter nuvarande slutdatum.")
        if "runs only until" in text:
            return _("Insatsen pågår bara till och med %(day)s.", day=text.split("until ")[1].rstrip("."))
        return _("Placeringen blir för lång eller ligger för långt fram.")
    if error.code == "invalid" and field == "start_date" and "starts on" in error.message:
        return _("Insatsen börjar %(day)s.", day=error.message.split("starts on ")[1].rstrip("."))
    if error.code == "invalid":
        return by_field.get(field or error.field, _("Kontrollera uppgiften."))
    by_code = {
        "no_capacity": _("Det finns ingen ledig plats %(day)s. Välj andra datum eller ställ förfrågan på väntelistan.",
                         day=error.params.get("day", "")),
        "hold_expired": _("Tiden för förfrågan har gått ut och platsen är inte längre ledig (%(day)s är fullt).",
                          day=error.params.get("day", "")),
        "already_started": _("Placeringen har börjat. Avsluta den med sista dag och utfall i stället."),
        "not_started_yet": _("Placeringen har inte börjat än. Avboka den i stället."),
        "extension_pending": _("En förlängning väntar redan på beslut."),
        "no_extension_pending": _("Ingen förlängning väntar på beslut."),
        "invalid_transition": _("Det går inte att göra så med en placering som har status ”%(status)s”.",
                                status=_(STATUS_LABELS.get(error.params.get("status", ""), error.params.get("status", "")))),
    }
    return by_code.get(error.code, _("Det gick inte att genomföra ändringen."))


def _actor():
    actor = http.current_actor()
    if actor is None:
        abort(401)
    return actor


def _visible_booking(session, actor, booking_id: int) -> Booking:
    return queries.get_visible_booking(session, actor, booking_id) or abort(404)


def _labels() -> dict:
    return {"status_labels": STATUS_LABELS, "outcome_labels": OUTCOME_LABELS, "status_badges": STATUS_BADGES}


def _audit_reads(session, actor, bookings, via: str) -> None:
    if bookings:
        with transaction(session, write_lock=True):
            for booking in bookings:
                flow.record_participant_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(), via=via)


# --- request a place ------------------------------------------------------------------------


@bp.route("/insatser/<int:programme_id>/boka", methods=["GET", "POST"])
@login_required
def new(programme_id: int):
    actor = _actor()
    session = http.request_session()
    programme = session.get(Programme, programme_id) if programme_id <= queries.MAX_ID else None
    if programme is None or (programme.status != ProgrammeStatus.PUBLISHED.value
                             and not policy.can_see_unpublished_programme(actor, programme.organisation_id)):
        abort(404)
    if not policy.can_request_place(actor):
        abort(403)
    form = BookingRequestForm()
    form.participant_target_group.choices = [SelectChoice("", _("Ingen angiven"))] + [
        SelectChoice(group.code, group.label(current_locale())) for group in
        session.execute(select(TargetGroup).order_by(TargetGroup.code)).scalars()]
    if request.method == "GET":
        form.participant_target_group.data = request.args.get("participant_target_group", "")
        form.idempotency_key.data = uuid.uuid4().hex
        form.start_date.data = form.start_date.data or clock.today() + timedelta(days=7)
    status = 200
    if form.validate_on_submit():
        key = (form.idempotency_key.data or "").strip()[:200] or None
        place = flow.PlaceRequest(
            programme_id=programme.id, start_date=form.start_date.data, end_date=form.end_date.data,
            participant_reference=form.participant_reference.data, participant_name=form.participant_name.data,
            participant_contact=form.participant_contact.data, participant_needs=form.participant_needs.data,
            purpose=form.purpose.data, goals=form.goals.data, sub_goals=form.sub_goals.data or "", tasks=form.tasks.data,
            participant_view=form.participant_view.data or "", fia_completed=form.fia_completed.data,
            decision_reference=form.decision_reference.data, decision_date=form.decision_date.data,
            waitlist=form.waitlist.data, participant_age=form.age(),
            participant_target_group=form.participant_target_group.data or None,
        )
        try:
            with transaction(session, write_lock=True):
                placed = flow.request_place(session, place, actor=actor, now=clock.now(), today=clock.today(),
                                            hold_days=http.settings().hold_days, idempotency_key=key)
                booking, created = placed.booking, placed.created
        except Invalid as error:
            for field, _text in error.errors or [(error.field, error.message)]:
                target = getattr(form, FORM_FIELDS.get(field or "", ""), None)
                message = _age_message(programme) if field == "participant.age" else _message(error, field)
                (target.errors.append(message) if target is not None else form.form_errors.append(message))
            status = 422
        except DomainError as error:
            form.form_errors.append(_message(error))
            status = 409
        else:
            if created and forwarding.warnings_for(session, booking):
                flash(_("Deltagaren har redan en begärd, godkänd eller pågående placering. Parallella insatser är "
                        "tillåtna; se Deltagarens andra placeringar nedan."), "warning")
            if booking.status == BookingStatus.WAITLISTED.value:
                flash(_("Det är fullt. Förfrågan står på väntelistan som nummer %(n)s.",
                        n=queries.waitlist_position(session, booking)), "warning")
            elif created:
                flash(_("Förfrågan är skickad. Platsen hålls till %(date)s medan samordnaren beslutar.",
                        date=format_day(booking.hold_expires_at)), "success")
            return redirect(url_for(".detail", booking_id=booking.id))
    elif request.method == "POST":
        status = 422
    free_today = capacity.free_places_today(session, [programme.id], today=clock.today(), now=clock.now()).get(programme.id, 0)
    provider = session.get(Organisation, programme.organisation_id)
    return render_template("marketplace/bookings/new.html", form=form, programme=programme, provider=provider,
                           free_today=free_today, hold_days=http.settings().hold_days), status


# --- lists ----------------------------------------------------------------------------------


@bp.get("/placeringar")
@login_required
def mine():
    actor = _actor()
    if not policy.can_list_bookings(actor):
        abort(403)
    session = http.request_session()
    status = request.args.get("status") or None
    if status not in STATUS_LABELS:
        status = None
    view = _list_view(actor)
    page = http.page_args()
    items, total = queries.list_bookings(session, actor, side=LIST_SIDES[view], status=status, offset=page.offset,
                                         limit=page.per_page)
    _audit_reads(session, actor, items, "page-list")
    programmes = queries.programmes_by_id(session, [b.programme_id for b in items])
    organisations = queries.organisations_by_id(
        session, [b.buyer_organisation_id for b in items] + [p.organisation_id for p in programmes.values()])
    return render_template("marketplace/bookings/mine.html", bookings=items, total=total, page=page, status=status,
                           programmes=programmes, organisations=organisations, side=view,
                           show_participant=view != "organisation",
                           participant_shown={b.id for b in items if policy.can_see_participant(
                               actor, b.buyer_organisation_id, programmes[b.programme_id].organisation_id, b.programme_id)},
                           **_labels())


# The placement list's view by role: its title and columns, and the side it lists.
LIST_SIDES = {"buyer": "buyer", "provider": "provider", "supervised": "provider", "organisation": None}


def _list_view(actor) -> str:
    """Staff see their purchases, coordinators their programmes' placements, supervisors the
    placements in the programmes they are assigned to, managers both sides without participants."""
    if actor.has(Role.STAFF):
        return "buyer"
    if actor.has(Role.COORDINATOR):
        return "provider"
    return "supervised" if actor.has(Role.SUPERVISOR) else "organisation"


@bp.get("/forfragningar")
@login_required
def incoming():
    actor = _actor()
    if not actor.has(Role.COORDINATOR):
        abort(403)
    session = http.request_session()
    now = clock.now()
    page, extension_page = http.page_args(default_per_page=50), http.page_args(default_per_page=50, param="sida_forlangningar")
    requests_, total, page = http.fetch_page(
        lambda p: queries.list_incoming(session, actor, now=now, offset=p.offset, limit=p.per_page), page)
    extensions, extension_total, extension_page = http.fetch_page(
        lambda p: queries.list_pending_extensions(session, actor, offset=p.offset, limit=p.per_page), extension_page)
    programmes = queries.programmes_by_id(session, [b.programme_id for b in requests_ + extensions])
    organisations = queries.organisations_by_id(session, [b.buyer_organisation_id for b in requests_ + extensions])
    days_left = {b.id: queries.days_left_on_hold(b, now=now) for b in requests_}
    return render_template("marketplace/bookings/incoming.html", requests=requests_, extensions=extensions,
                           page=page, total=total, extension_page=extension_page, extension_total=extension_total,
                           programmes=programmes, organisations=organisations, days_left=days_left, **_labels())


# --- one booking ----------------------------------------------------------------------------


def _allowed_now(actor, booking: Booking, provider_id: int, today: date) -> set[str]:
    """Which action forms to show: the state table, the policy and the date guards together."""
    allowed = set()
    possible = set(states.allowed_actions(booking.status))
    buyer = booking.buyer_organisation_id
    if "approve" in possible and policy.can_decide_booking(actor, provider_id):
        allowed |= {"approve", "reject"}
    if "cancel" in possible and policy.can_cancel_booking(actor, buyer) and not (
            booking.status == BookingStatus.APPROVED.value and booking.start_date <= today):
        allowed.add("cancel")
    if "end" in possible and policy.can_end_booking(actor, buyer, provider_id) and booking.start_date <= today:
        allowed.add("end")
    if "request_extension" in possible and booking.extension_end_date is None and policy.can_request_extension(actor, buyer):
        allowed.add("extend")
    if "approve_extension" in possible and booking.extension_end_date is not None and policy.can_decide_extension(actor, provider_id):
        allowed |= {"approve_extension", "reject_extension"}
    return allowed


def _unique_ids(form, prefix: str):
    """Several forms on one page share field names; give their inputs distinct ids (labels follow)."""
    for f in form:
        if f.name != "csrf_token":
            f.id = f"{prefix}-{f.name}"
            f.label.field_id = f.id
    return form


def _render_detail(session, actor, booking: Booking, *, status: int = 200, forms: dict | None = None):
    programme = session.get(Programme, booking.programme_id)
    provider = session.get(Organisation, programme.organisation_id)
    buyer = session.get(Organisation, booking.buyer_organisation_id)
    today = clock.today()
    forms = forms or {}
    end_form = forms.get("end") or EndForm(formdata=None, end_date=min(today, booking.end_date))
    _audit_reads(session, actor, [booking], "page")
    return render_template(
        "marketplace/bookings/detail.html", booking=booking, programme=programme, provider=provider, buyer=buyer,
        events=queries.events(session, booking), waitlist_position=queries.waitlist_position(session, booking),
        allowed=_allowed_now(actor, booking, provider.id, today), confirm=ConfirmForm(),
        reject_form=_unique_ids(forms.get("reject") or ReasonForm(formdata=None), "reject"),
        cancel_form=_unique_ids(forms.get("cancel") or ReasonForm(formdata=None), "cancel"),
        end_form=_unique_ids(end_form, "end"),
        extension_form=_unique_ids(forms.get("extend") or ExtensionForm(formdata=None), "extend"),
        reject_extension_form=_unique_ids(forms.get("reject_extension") or ReasonForm(formdata=None), "reject-extension"),
        hold_days_left=queries.days_left_on_hold(booking, now=clock.now()),
        show_participant=policy.can_see_participant(actor, booking.buyer_organisation_id, provider.id, booking.programme_id),
        can_see_occupancy=policy.can_see_occupancy(actor, provider.id), across=_across(session, actor, booking, provider.id),
        **_labels(),
    ), status


def _across(session, actor, booking: Booking, provider_id: int) -> dict | None:
    """The participant's other placements at the buyer and the forward links, as far as actor may see them."""
    if not policy.can_see_participant(actor, booking.buyer_organisation_id, provider_id, booking.programme_id):
        return None
    others = forwarding.related_bookings(session, booking)
    source, targets = forwarding.forward_links(session, booking)
    programmes = queries.programmes_by_id(session, {b.programme_id for b in [*others, *targets, *([source] if source else [])]})

    def visible(other: Booking) -> bool:
        return policy.can_see_participant(actor, other.buyer_organisation_id, programmes[other.programme_id].organisation_id,
                                          other.programme_id)

    forward_form = None
    if booking.status in forwarding.FORWARDABLE and policy.can_forward_booking(actor, booking.buyer_organisation_id):
        forward_form = _forward_form(session, formdata=None)
        forward_form.idempotency_key.data = uuid.uuid4().hex
    return {"related": [(b, programmes[b.programme_id]) for b in others if visible(b)],
            "forwarded_from": source if source is not None and visible(source) else None,
            "forwarded_to": [b for b in targets if visible(b)], "forward_form": forward_form,
            "meetings": policy.can_plan_meeting(actor, booking.buyer_organisation_id, provider_id)}


def _forward_form(session, **kwargs) -> ForwardForm:
    form = ForwardForm(**kwargs)
    published = session.execute(select(Programme.id, Programme.name, Programme.code)
                                 .where(Programme.status == ProgrammeStatus.PUBLISHED.value).order_by(Programme.name)).all()
    form.programme_id.choices = [SelectChoice(row.id, f"{row.name} ({row.code})") for row in published]
    return form


@bp.post("/placeringar/<int:booking_id>/skicka-vidare")
@login_required
def forward(booking_id: int):
    """Send a rejected, expired or cancelled request on as a new one (staff of the buyer)."""
    actor = _actor()
    session = http.request_session()
    booking = _visible_booking(session, actor, booking_id)
    if not policy.can_forward_booking(actor, booking.buyer_organisation_id):
        abort(403)
    form = _forward_form(session)
    if not form.validate_on_submit():
        flash(_("Välj en insats och ange start- och slutdatum."), "error")
        return redirect(url_for(".detail", booking_id=booking.id))
    key = (form.idempotency_key.data or "").strip()[:200] or None
    try:
        with transaction(session, write_lock=True):
            placed = forwarding.forward_booking(
                session, booking, programme_id=form.programme_id.data, start_date=form.start_date.data,
                end_date=form.end_date.data, actor=actor, now=clock.now(), today=clock.today(),
                hold_days=http.settings().hold_days, idempotency_key=key)
    except DomainError as error:
        flash(_message(error, error.field) if not error.code == "not_forwardable" else
              _("Bara avslagna, utgångna och avbokade förfrågningar kan skickas vidare."), "error")
        return redirect(url_for(".detail", booking_id=booking.id))
    flash(_("Förfrågan är skickad vidare som %(ref)s.", ref=placed.booking.ref), "success")
    return redirect(url_for(".detail", booking_id=placed.booking.id))


@bp.get("/placeringar/<int:booking_id>")
@login_required
def detail(booking_id: int):
    actor = _actor()
    session = http.request_session()
    return _render_detail(session, actor, _visible_booking(session, actor, booking_id))


def _act(booking_id: int, name: str, allowed, form, run, success: str):
    """POST an action: 404 if invisible, 403 if not allowed, the form's errors (422), the domain's refusal (409)."""
    actor = _actor()
    session = http.request_session()
    booking = _visible_booking(session, actor, booking_id)
    provider_id = queries.provider_id(session, booking)
    if not allowed(actor, booking, provider_id):
        abort(403)
    if not form.validate_on_submit():
        return _render_detail(session, actor, booking, status=422, forms={name: form})
    try:
        with transaction(session, write_lock=True):
            run(session, booking, actor, form)
    except DomainError as error:
        field = FORM_FIELDS.get(error.field or "")
        if isinstance(error, Invalid) and field and hasattr(form, field):
            getattr(form, field).errors.append(_message(error, error.field))
            return _render_detail(session, actor, booking, status=422, forms={name: form})
        flash(_message(error, error.field), "error")
        session.refresh(booking)
        return _render_detail(session, actor, booking, status=error.status)
    flash(success, "success")
    return redirect(url_for(".detail", booking_id=booking_id))


def _hold_days() -> int:
    return http.settings().hold_days


@bp.post("/placeringar/<int:booking_id>/godkann")
@login_required
def approve(booking_id: int):
    return _act(booking_id, "approve", lambda a, b, p: policy.can_decide_booking(a, p), ConfirmForm(),
                lambda s, b, a, f: flow.approve_booking(s, b, actor=a, now=clock.now()),
                _("Förfrågan är godkänd. Beställaren får besked."))


@bp.post("/placeringar/<int:booking_id>/avsla")
@login_required
def reject(booking_id: int):
    return _act(booking_id, "reject", lambda a, b, p: policy.can_decide_booking(a, p), ReasonForm(),
                lambda s, b, a, f: flow.reject_booking(s, b, actor=a, now=clock.now(), reason=f.reason.data, hold_days=_hold_days()),
                _("Förfrågan är avslagen. Beställaren får besked."))


@bp.post("/placeringar/<int:booking_id>/avboka")
@login_required
def cancel(booking_id: int):
    return _act(booking_id, "cancel", lambda a, b, p: policy.can_cancel_booking(a, b.buyer_organisation_id), ReasonForm(),
                lambda s, b, a, f: flow.cancel_booking(s, b, actor=a, now=clock.now(), today=clock.today(),
                                                       reason=f.reason.data, hold_days=_hold_days()),
                _("Placeringen är avbokad."))


@bp.post("/placeringar/<int:booking_id>/avsluta")
@login_required
def end(booking_id: int):
    return _act(booking_id, "end", lambda a, b, p: policy.can_end_booking(a, b.buyer_organisation_id, p), EndForm(),
                lambda s, b, a, f: flow.end_booking(s, b, actor=a, now=clock.now(), today=clock.today(), end_date=f.end_date.data,
                                                    outcome=f.outcome.data, hold_days=_hold_days()),
                _("Placeringen är avslutad."))


@bp.post("/placeringar/<int:booking_id>/forlang")
@login_required
def extend(booking_id: int):
    return _act(booking_id, "extend", lambda a, b, p: policy.can_request_extension(a, b.buyer_organisation_id), ExtensionForm(),
                lambda s, b, a, f: flow.request_extension(s, b, actor=a, now=clock.now(), new_end_date=f.end_date.data),
                _("Förlängningen är begärd. Samordnaren beslutar."))


@bp.post("/placeringar/<int:booking_id>/forlangning/godkann")
@login_required
def approve_extension(booking_id: int):
    return _act(booking_id, "approve_extension", lambda a, b, p: policy.can_decide_extension(a, p), ConfirmForm(),
                lambda s, b, a, f: flow.approve_extension(s, b, actor=a, now=clock.now()),
                _("Förlängningen är godkänd."))


@bp.post("/placeringar/<int:booking_id>/forlangning/avsla")
@login_required
def reject_extension(booking_id: int):
    return _act(booking_id, "reject_extension", lambda a, b, p: policy.can_decide_extension(a, p), ReasonForm(),
                lambda s, b, a, f: flow.reject_extension(s, b, actor=a, now=clock.now(), reason=f.reason.data),
                _("Förlängningen är avslagen."))


# --- occupancy ------------------------------------------------------------------------------


@bp.get("/insatser/<int:programme_id>/belaggning")
@login_required
def occupancy(programme_id: int):
    actor = _actor()
    session = http.request_session()
    programme = session.get(Programme, programme_id) if programme_id <= queries.MAX_ID else None
    if programme is None or not policy.can_see_occupancy(actor, programme.organisation_id):
        abort(404)
    today = clock.today()
    try:
        start = date.fromisoformat(request.args.get("fran", "")) if request.args.get("fran") else today
    except ValueError:
        start = today
    first_monday = start - timedelta(days=start.weekday())
    weeks, lanes = queries.occupancy(session, programme, first_monday=first_monday, weeks=12, now=clock.now())
    return render_template("marketplace/bookings/occupancy.html", programme=programme, weeks=weeks, lanes=lanes,
                           first_monday=first_monday, previous=first_monday - timedelta(weeks=12),
                           following=first_monday + timedelta(weeks=12), current_monday=today - timedelta(days=today.weekday()),
                           **_labels())


# --- start page -----------------------------------------------------------------------------


def _answer_label(booking: Booking) -> str:
    if booking.status == BookingStatus.REQUESTED.value:
        return _("plats ledig från väntelistan, väntar på beslut")
    return _(STATUS_LABELS[booking.status])


def _panels(session, actor) -> list[home.Panel]:
    """Staff: answers to their requests and placements waiting; coordinators: requests with days left."""
    panels = []
    now = clock.now()
    if actor.has(Role.STAFF) or actor.has(Role.COORDINATOR):
        notes = queries.list_notifications(session, actor, now=now)
        panels.append(home.Panel(
            title=_("Meddelanden"),
            items=[home.PanelItem(n.message, n.link, note=format_day(n.created_at)) for n in notes],
            empty_text=_("Inga meddelanden de senaste 30 dagarna."),
        ))
    if actor.has(Role.STAFF):
        answers = queries.list_recent_answers(session, actor, now=now)
        panels.append(home.Panel(
            title=_("Svar på dina förfrågningar"),
            items=[home.PanelItem(f"{b.ref}: {_answer_label(b)}", url_for("bookings.detail", booking_id=b.id),
                                  note=format_day(clock.local(b.updated_at).date())) for b in answers],
            empty_text=_("Inga nya svar. Sök en insats för att begära en plats."),
            more_url=url_for("bookings.mine"), more_text=_("Alla mina placeringar"),
        ))
        waiting, total = queries.list_bookings(session, actor, side="buyer", status=BookingStatus.REQUESTED.value, limit=5)
        panels.append(home.Panel(
            title=_("Väntar på beslut"),
            items=[home.PanelItem(b.ref, url_for("bookings.detail", booking_id=b.id),
                                  note=_("hålls till %(date)s", date=format_day(clock.local(b.hold_expires_at).date())))
                   for b in waiting],
            empty_text=_("Inga förfrågningar väntar på beslut."),
            more_url=url_for("bookings.mine", status="requested") if total > 5 else None, more_text=_("Visa alla"),
        ))
    if policy.can_list_bookings(actor) and not (actor.has(Role.STAFF) or actor.has(Role.COORDINATOR)):
        # supervisors (their programmes) and managers (their organisation): the running placements, by ref
        running, total = queries.list_bookings(session, actor, status=BookingStatus.ACTIVE.value, limit=5)
        panels.append(home.Panel(
            title=_("Pågående placeringar"),
            items=[home.PanelItem(b.ref, url_for("bookings.detail", booking_id=b.id),
                                  note=_("till %(date)s", date=format_day(b.end_date))) for b in running],
            empty_text=_("Inga pågående placeringar."),
            more_url=url_for("bookings.mine", status="active") if total > 5 else None, more_text=_("Visa alla"),
        ))
    if actor.has(Role.COORDINATOR):
        incoming_, _total = queries.list_incoming(session, actor, now=now, limit=5)
        panels.append(home.Panel(
            title=_("Inkommande förfrågningar"),
            items=[home.PanelItem(b.ref, url_for("bookings.detail", booking_id=b.id),
                                  note=_("%(n)s dagar kvar", n=queries.days_left_on_hold(b, now=now))) for b in incoming_],
            empty_text=_("Inga förfrågningar väntar på ditt beslut."),
            more_url=url_for("bookings.incoming"), more_text=_("Alla inkommande förfrågningar"),
        ))
    return panels


if _panels not in home.PANEL_PROVIDERS:
    home.PANEL_PROVIDERS.append(_panels)
