"""Pages for finance: months, a month's buyer × provider matrix with its lines, closing,
file downloads, the ledger per organisation, a booking's billing, and admin's accounting codes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from sqlalchemy import func, select

from billing import demo as _demo  # noqa: F401  (registers the demo step)
import io

from billing import dimensions, money, operations, queries, rule_text, statements
from billing.disputes import service as disputes
from billing.forms import AccountingCodesForm, PriceCorrectionForm
from billing.organisation_codes import update_accounting_codes
from billing.periods import next_period, parse_period, period_of, previous_period
from billing.price_corrections import correct_booking_price
from billing.storage import FORMATS, MEDIA_TYPES
from catalog.models import Organisation
from marketplace.kernel import clock, http
from marketplace.shell import home
from marketplace.auth import policy
from marketplace.auth.forms import ConfirmForm
from marketplace.bookings.public import get_booking_record
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from marketplace.i18n import N_, format_day, format_sek

bp = Blueprint("billing", __name__)

FORMAT_LABELS = {"csv": N_("CSV för Excel"), "xlsx": N_("Excel (XLSX)"), "sie": N_("SIE 4")}  # shown with _()
UNIT_LABELS = {"month": N_("månad"), "day": N_("dag"), "placement": N_("placering")}
ORGS_PER_PAGE = 50
LINES_PER_PAGE = 100


def _actor(allowed=policy.can_see_billing):
    actor = http.current_actor()
    if actor is None or not allowed(actor):
        abort(403)
    return actor


def _period_or_404(period: str) -> str:
    try:
        return parse_period(period)
    except DomainError:
        abort(404)


def _error_message(error: DomainError) -> str:
    messages = {
        "period_not_over": _("Månaden är inte slut än. Den kan stängas från den första dagen i nästa månad."),
        "invalid_accounting_codes": _("Organisationen %(code)s har ogiltiga konteringskoder. En administratör måste rätta dem först.",
                                      code=error.params.get("organisation", "")),
        "period_not_closed": _("Månaden är inte stängd. Filer finns bara för stängda månader."),
    }
    return messages.get(error.code, error.message)


@bp.get("/fakturering")
@login_required
def index():
    actor = _actor()
    periods = queries.list_periods(http.request_session(), today=clock.today())
    return render_template("billing/index.html", periods=periods, can_close=policy.can_close_month(actor))


@bp.get("/fakturering/<period>")
@login_required
def period(period: str):
    """The month at three depths, each a page at a time: buyers (or providers, ?per=saljare), one
    organisation's partners (?kopare= or ?saljare=), a pair's lines (both). A narrow month shows
    the whole buyer × provider matrix instead of the first list."""
    actor = _actor()
    period = _period_or_404(period)
    session = http.request_session()
    buyer, provider = request.args.get("kopare") or None, request.args.get("saljare") or None
    per = "saljare" if request.args.get("per") == "saljare" else "kopare"
    paging = http.page_args(default_per_page=LINES_PER_PAGE if buyer and provider else ORGS_PER_PAGE, max_per_page=200)
    summary = queries.month_summary(session, period, today=clock.today(), totals=not (buyer or provider))
    matrix = rows = lines = None
    if buyer and provider:
        lines = queries.lines_page(session, period, closed=summary.is_closed, buyer=buyer, provider=provider,
                                                page=paging.page, per_page=paging.per_page)
    elif buyer or provider:
        rows = queries.org_totals(session, summary, side="provider" if buyer else "buyer", buyer=buyer, provider=provider,
                                  page=paging.page, per_page=paging.per_page)
    else:
        matrix = queries.pair_matrix(session, summary) if "per" not in request.args else None
        if matrix is None:
            rows = queries.org_totals(session, summary, side="provider" if per == "saljare" else "buyer",
                                      page=paging.page, per_page=paging.per_page)
    shown = lines or rows
    page = http.Page(shown.page, shown.per_page) if shown else paging
    # Programmes billed (or to be billed) under their organisation's default activity code.
    fallbacks = dimensions.fallbacks(session, period) if not (buyer or provider) else []
    return render_template("billing/period.html", view=summary, buyer=buyer, provider=provider, per=per, matrix=matrix,
                           rows=rows, lines=lines, page=page, form=ConfirmForm(), fallbacks=fallbacks,
                           can_close=policy.can_close_month(actor), format_labels=FORMAT_LABELS, unit_labels=UNIT_LABELS)


@bp.post("/fakturering/<period>/stang")
@login_required
def close(period: str):
    actor = _actor(policy.can_close_month)
    period = _period_or_404(period)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result, _files = operations.close_and_store(http.request_session(), period, actor=actor, now=clock.now(),
                                                    instance_path=http.settings().instance_path, ip=http.client_ip())
    except DomainError as error:
        flash(_error_message(error), "error")
        return redirect(url_for(".period", period=period))
    if result.closed_now:
        flash(ngettext("%(period)s är stängd: %(num)s rad, totalt %(total)s. Filerna är klara att hämta.",
                       "%(period)s är stängd: %(num)s rader, totalt %(total)s. Filerna är klara att hämta.",
                       result.line_count, period=period, total=format_sek(result.total_ore)), "success")
    else:
        flash(_("%(period)s var redan stängd; inget har ändrats.", period=period), "success")
    if result.without_own_activity_code:
        flash(ngettext("%(num)s insats saknar egen verksamhetskod och fakturerades under organisationens standardkod. "
                       "Den finns i listan nedan.",
                       "%(num)s insatser saknar egen verksamhetskod och fakturerades under organisationens standardkod. "
                       "De finns i listan nedan.", len(result.without_own_activity_code)), "warning")
    if waiting := len(disputes.open_on(http.request_session(), period)):
        flash(ngettext("%(num)s tvist om månaden är fortfarande öppen; den står nedan.",
                       "%(num)s tvister om månaden är fortfarande öppna; de står nedan.", waiting), "warning")
    return redirect(url_for(".period", period=period))


@bp.get("/fakturering/<period>/filer/<fmt>")
@login_required
def download(period: str, fmt: str):
    actor = _actor()
    period = _period_or_404(period)
    if fmt not in FORMATS:
        abort(404)
    try:
        stored = operations.fetch_file(http.request_session(), period, fmt, actor=actor, now=clock.now(),
                                       instance_path=http.settings().instance_path, ip=http.client_ip())
    except DomainError as error:
        flash(_error_message(error), "error")
        return redirect(url_for(".period", period=period))
    response = send_file(stored.path, mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=stored.filename,
                         conditional=False, etag=stored.sha256)
    response.headers["X-Content-SHA256"] = stored.sha256
    return response


@bp.get("/fakturering/reskontra")
@login_required
def ledger():
    """What one organisation bought and sold in a month, each list a page at a time
    (?sida_kopt=, ?sida_salt=); an open month computes only that organisation's lines."""
    _actor()
    session = http.request_session()
    organisations = list(session.execute(select(Organisation).order_by(Organisation.code)).scalars())
    code = request.args.get("organisation") or None
    period = request.args.get("period") or previous_period(period_of(clock.today()))
    try:
        parse_period(period)
    except DomainError:
        flash(_("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03."), "error")
        period = previous_period(period_of(clock.today()))
    bought = sold = None
    closed = False
    if code and any(o.code == code for o in organisations):
        closed = queries.is_closed(session, period)
        bought = queries.lines_page(session, period, closed=closed, buyer=code,
                                    page=http.page_args(param="sida_kopt").page, per_page=LINES_PER_PAGE)
        sold = queries.lines_page(session, period, closed=closed, provider=code,
                                  page=http.page_args(param="sida_salt").page, per_page=LINES_PER_PAGE)
    elif code:
        flash(_("Okänd organisation."), "error")
        code = None
    return render_template("billing/ledger.html", organisations=organisations, code=code, period=period, closed=closed,
                           bought=bought, sold=sold, unit_labels=UNIT_LABELS)


@bp.route("/fakturering/bokning/<ref>", methods=["GET", "POST"])
@login_required
def booking(ref: str):
    actor = _actor()
    session = http.request_session()
    record = get_booking_record(session, ref=ref)
    if record is None:
        abort(404)
    form = PriceCorrectionForm()
    can_correct = policy.can_correct_booking_price(actor)
    status = 200
    if request.method == "POST":
        if not can_correct:
            abort(403)
        if form.validate_on_submit():
            try:
                new_price = money.parse_amount(form.price.data)
                if new_price < 0:
                    raise ValueError("negative")
            except ValueError:
                form.price.errors.append(_("Ange ett belopp i kronor med högst två decimaler, t.ex. 4 500,00."))
            else:
                try:
                    with transaction(session):
                        correct_booking_price(session, record.booking_id, new_price, actor=actor, now=clock.now(),
                                              reason=form.reason.data, ip=http.client_ip())
                except DomainError as error:
                    form.price.errors.append(_("Priset måste vara mellan 0 och 100 000 000 kr.") if error.field == "price"
                                             else error.message)
                else:
                    flash(_("Priset är rättat. Stängda månader ändras inte; skillnaden kommer som rättelse nästa månad som stängs."),
                          "success")
                    return redirect(url_for(".booking", ref=ref))
        status = 422
    lines = queries.booking_charge_lines(session, record.booking_id)
    return render_template("billing/booking.html", record=record, lines=lines, form=form, can_correct=can_correct,
                           unit_labels=UNIT_LABELS, billed_total=sum(l.amount_ore for l in lines)), status


# --- statements: one organisation's purchases and sales ---------------------------------------


def _statement_or_404(period: str, code: str):
    actor = _actor(policy.can_see_statements)
    period = _period_or_404(period)
    session = http.request_session()
    organisation = statements.find_organisation(session, code)
    if organisation is None or not policy.can_see_statement(actor, organisation.id):
        abort(404)
    return actor, statements.statement(session, period, organisation)


@bp.get("/fakturering/<period>/sammanstallning/<code>")
@login_required
def statement(period: str, code: str):
    """An organisation's month: what it bought and what it sold, with its net."""
    actor, result = _statement_or_404(period, code)
    return render_template("billing/statement.html", statement=result, unit_labels=UNIT_LABELS,
                           link_bookings=policy.can_see_billing(actor),
                           can_dispute=policy.can_raise_dispute(actor, result.organisation_id),
                           previous=previous_period(result.period), following=next_period(result.period))


@bp.get("/fakturering/<period>/sammanstallning/<code>/<any(csv, xlsx):fmt>")
@login_required
def statement_file(period: str, code: str, fmt: str):
    _actor_, result = _statement_or_404(period, code)
    data = statements.statement_file(http.request_session(), result, fmt, now=clock.now())
    return send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True,
                     download_name=statements.statement_filename(result, fmt))


# --- admin: accounting codes per organisation ------------------------------------------------


@bp.get("/admin/organisationer")
@login_required
def organisations():
    _actor(policy.can_edit_accounting_codes)
    session = http.request_session()
    paging = http.page_args(default_per_page=ORGS_PER_PAGE, max_per_page=200)
    total = session.execute(select(func.count()).select_from(Organisation)).scalar_one()
    page = paging.within(total)
    rows = list(session.execute(select(Organisation).order_by(Organisation.code)
                                .offset(page.offset).limit(page.per_page)).scalars())
    return render_template("billing/organisations.html", organisations=rows, page=page, total=total)


@bp.route("/admin/organisationer/<code>", methods=["GET", "POST"])
@login_required
def organisation_codes(code: str):
    actor = _actor(policy.can_edit_accounting_codes)
    session = http.request_session()
    organisation = session.execute(select(Organisation).where(Organisation.code == code)).scalar_one_or_none()
    if organisation is None:
        abort(404)
    form = AccountingCodesForm(obj=organisation)
    if form.validate_on_submit():
        try:
            with transaction(session):
                update_accounting_codes(session, organisation, cost_centre=form.cost_centre.data,
                                        cost_account=form.cost_account.data, revenue_account=form.revenue_account.data,
                                        default_activity_code=form.default_activity_code.data,
                                        actor=actor, now=clock.now(), ip=http.client_ip())
        except DomainError as error:
            for field, message in getattr(error, "errors", []):
                getattr(form, field).errors.append(message)
        else:
            flash(_("Konteringskoderna för %(name)s är sparade. De gäller från nästa månad som stängs.",
                    name=organisation.name), "success")
            return redirect(url_for(".organisations"))
    status = 422 if form.errors else 200
    return render_template("billing/organisation_form.html", organisation=organisation, form=form), status


@bp.app_template_filter("billing_rule")
def billing_rule(rule: str) -> str:
    """A line's pricing rule in the reader's language (billing.rule_text)."""
    return rule_text.describe(rule, _=_, amount=format_sek, day=format_day)


# --- start page ---------------------------------------------------------------------------------


def billing_panels(session, actor) -> list:
    """Finance: every ended month still open (as far back as the months list goes), with what
    closing it now would charge."""
    if actor is None or not policy.can_close_month(actor):
        return []
    waiting = [p for p in queries.list_periods(session, today=clock.today()) if p.status == "open" and p.has_ended]
    return [home.Panel(
        title=_("Månader att stänga"),
        items=[home.PanelItem(text=p.period, url=url_for("billing.period", period=p.period),
                              note=ngettext("%(num)d rad, %(total)s", "%(num)d rader, %(total)s", p.line_count or 0,
                                            total=format_sek(p.total_ore or 0)))
               for p in waiting],
        empty_text=_("Alla avslutade månader är stängda."),
        more_url=url_for("billing.index"), more_text=_("Alla månader"),
    )]


if billing_panels not in home.PANEL_PROVIDERS:
    home.PANEL_PROVIDERS.append(billing_panels)


from billing import district_views as _district_views  # noqa: E402,F401  (district finance's pages, on this blueprint)


from billing import forecast_api as _forecast_api  # noqa: E402,F401  (the forecast's page and endpoint)
