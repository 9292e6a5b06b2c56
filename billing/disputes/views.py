"""Pages: the disputes list, raising a dispute (from a statement line), a dispute with the
provider's answer form, the open disputes panel on district finance's start page, and the
month page's list of its open disputes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from billing.disputes import service
from billing.disputes.forms import RaiseForm, ResolveForm
from billing.disputes.models import Dispute, DisputeStatus
from billing.periods import parse_period
from marketplace.auth import policy
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from marketplace.shell import home

bp = Blueprint("billing_disputes", __name__)
PER_PAGE = 25
STATUS_ARGS = {"oppna": DisputeStatus.OPEN.value, "avgjorda": DisputeStatus.RESOLVED.value}


def _actor(allowed=policy.can_see_disputes):
    actor = http.current_actor()
    if actor is None or not allowed(actor):
        abort(403)
    return actor


def _messages() -> dict[str, str]:
    """Swedish (translated) text for the domain's error codes; the field they belong to is the error's."""
    return {
        "unknown_booking": _("Er organisation har inte köpt någon bokning med det numret."),
        "bad_period": _("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03."),
        "period_not_started": _("Månaden har inte börjat. En rad kan bestridas från månadens första dag."),
        "no_line": _("Bokningen har ingen rad den månaden."),
        "dispute_open": _("Bokningen har redan en öppen tvist för den månaden. Vänta på svaret på den."),
        "text_required": _("Skriv vad som är fel med raden."),
        "text_too_long": _("Högst 2000 tecken."),
        "bad_text": _("Texten innehåller otillåtna tecken."),
        "bad_amount": _("Ange krediteringen i kronor med högst två decimaler, t.ex. 500,00."),
        "negative_credit": _("En kreditering kan inte vara negativ."),
        "credit_too_large": _("Krediteringen är större än vad som återstår av bokningens debitering för månaden."),
        "credit_needs_acceptance": _("Bara en godkänd tvist kan ge en kreditering."),
        "bad_decision": _("Välj godkänn eller avslå."),
        "dispute_resolved": _("Tvisten är redan besvarad."),
    }


def _apply_error(form, error: DomainError) -> None:
    message = _messages().get(error.code, error.message)
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors.append(message)
    else:
        form.form_errors.append(message)


@bp.get("/fakturering/tvister")
@login_required
def index():
    """The disputes the actor may see, newest first; ?status=oppna|avgjorda and ?period=YYYY-MM narrow it."""
    actor = _actor()
    session = http.request_session()
    status_arg = request.args.get("status", "")
    period = request.args.get("period") or None
    if period:
        try:
            parse_period(period)
        except DomainError:
            flash(_("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03."), "error")
            period = None
    paging = http.page_args(default_per_page=PER_PAGE, max_per_page=100)
    items, total = service.list_disputes(session, actor, status=STATUS_ARGS.get(status_arg), period=period,
                                         offset=paging.offset, limit=paging.per_page)
    page = paging.within(total)
    if page != paging:
        items, total = service.list_disputes(session, actor, status=STATUS_ARGS.get(status_arg), period=period,
                                             offset=page.offset, limit=page.per_page)
    names = service.organisation_names(session, {d.buyer_organisation_id for d in items}
                                       | {d.provider_organisation_id for d in items})
    return render_template("billing/disputes/index.html", disputes=items, total=total, page=page, names=names,
                           status_arg=status_arg if status_arg in STATUS_ARGS else "", period=period or "",
                           can_raise=policy.can_raise_disputes(actor))


@bp.route("/fakturering/tvister/ny", methods=["GET", "POST"])
@login_required
def new():
    """Raise a dispute; a statement line links here with ?booking_ref=&period= filled in."""
    actor = _actor(policy.can_raise_disputes)
    form = RaiseForm(data={"booking_ref": request.args.get("booking_ref", ""), "period": request.args.get("period", "")}
                     if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            session = http.request_session()
            try:
                with transaction(session, write_lock=True):
                    dispute = service.raise_dispute(session, actor=actor, booking_ref=form.booking_ref.data,
                                                    period=form.period.data.strip(), reason=form.reason.data,
                                                    now=clock.now(), today=clock.today(), ip=http.client_ip())
            except DomainError as error:
                if error.status == 403:
                    abort(403)
                _apply_error(form, error)
            else:
                flash(_("Tvisten är registrerad. Säljaren har fått besked."), "success")
                return redirect(url_for(".show", dispute_id=dispute.id))
        status = 422
    return render_template("billing/disputes/new.html", form=form), status


def _visible_or_404(dispute_id: int):
    actor = _actor()
    session = http.request_session()
    dispute = session.get(Dispute, dispute_id)
    if dispute is None or not service.can_see(actor, dispute):
        abort(404)
    return actor, session, dispute


def _render_show(actor, session, dispute, form, status=200):
    names = service.organisation_names(session, {dispute.buyer_organisation_id, dispute.provider_organisation_id})
    can_resolve = (dispute.status == DisputeStatus.OPEN.value
                   and policy.can_resolve_dispute(actor, dispute.provider_organisation_id))
    buyer_code = names[dispute.buyer_organisation_id][0]
    statement_url = (url_for("billing.statement", period=dispute.period, code=buyer_code)
                     if policy.can_see_statement(actor, dispute.buyer_organisation_id) else None)
    return render_template("billing/disputes/show.html", dispute=dispute, names=names, form=form,
                           can_resolve=can_resolve, credited=service.credited_in(session, dispute),
                           statement_url=statement_url), status


@bp.get("/fakturering/tvister/<int:dispute_id>")
@login_required
def show(dispute_id: int):
    actor, session, dispute = _visible_or_404(dispute_id)
    return _render_show(actor, session, dispute, ResolveForm())


@bp.post("/fakturering/tvister/<int:dispute_id>/besvara")
@login_required
def resolve(dispute_id: int):
    actor, session, dispute = _visible_or_404(dispute_id)
    if not policy.can_resolve_dispute(actor, dispute.provider_organisation_id):
        abort(403)
    form = ResolveForm()
    if form.validate_on_submit():
        try:
            with transaction(session, write_lock=True):
                service.resolve_dispute(session, dispute, actor=actor, decision=form.decision.data,
                                        note=form.note.data, credit=form.credit.data, now=clock.now(),
                                        ip=http.client_ip())
        except DomainError as error:
            if error.code == "dispute_resolved":
                flash(_messages()["dispute_resolved"], "error")
                return redirect(url_for(".show", dispute_id=dispute.id))
            _apply_error(form, error)
        else:
            flash(_("Svaret är sparat. Köparen har fått besked."), "success")
            return redirect(url_for(".show", dispute_id=dispute.id))
    return _render_show(actor, session, dispute, form, 422)


# --- start page ---------------------------------------------------------------------------------


def dispute_panels(session, actor) -> list:
    """District finance: its organisation's open disputes, as buyer and as provider."""
    if actor is None or not policy.is_district_finance(actor):
        return []
    items, total = service.list_disputes(session, actor, status=DisputeStatus.OPEN.value,
                                         organisation_id=actor.organisation_id, limit=10)
    names = service.organisation_names(session, {d.buyer_organisation_id for d in items}
                                       | {d.provider_organisation_id for d in items})

    def item(dispute: Dispute) -> home.PanelItem:
        if dispute.buyer_organisation_id == actor.organisation_id:
            note = _("vi köpte av %(code)s", code=names[dispute.provider_organisation_id][0])
        else:
            note = _("vi sålde till %(code)s: svara", code=names[dispute.buyer_organisation_id][0])
        return home.PanelItem(text=f"{dispute.booking_ref} {dispute.period}",
                              url=url_for("billing_disputes.show", dispute_id=dispute.id), note=note)

    return [home.Panel(title=_("Öppna tvister"), items=[item(d) for d in items],
                       empty_text=_("Inga öppna tvister."),
                       more_url=url_for("billing_disputes.index", status="oppna"), more_text=_("Alla tvister"))]


if dispute_panels not in home.PANEL_PROVIDERS:
    home.PANEL_PROVIDERS.append(dispute_panels)


@bp.app_template_global("open_disputes_on")
def open_disputes_on(period: str) -> list[dict]:
    """The month's open disputes for the month page (city finance sees every dispute)."""
    return service.open_on_out(http.request_session(), period)
