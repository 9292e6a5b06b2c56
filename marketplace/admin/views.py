"""Admin pages: tools overview, audit log search and export, log review, erasure on request."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace import audit, privacy
from marketplace.audit import queries as audit_queries
from marketplace.kernel import clock, http
from marketplace.i18n import format_day
from marketplace.admin.forms import ErasureForm, ErasureLookupForm, LogReviewForm
from marketplace.auth import policy, totp
from marketplace.auth.forms import ConfirmForm
from marketplace.auth.models import User
from marketplace.bookings.public import Booking
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from marketplace.privacy.models import ErasureRecord

bp = Blueprint("admin", __name__, url_prefix="/admin")
DEFAULT_SAMPLE = 25


@bp.app_template_global("personal_field")
def personal_field(booking, value):
    """Show a participant field, or "Gallrad" once retention or a request erased it."""
    if value:
        return value
    return _("Gallrad") if getattr(booking, "personal_data_erased_at", None) else ""


@bp.app_template_filter("audit_time")
def audit_time(moment) -> str:
    """A timestamp to the second in Stockholm time, as the audit pages show it (the date in the
    language's format, like every other date)."""
    if not moment:
        return ""
    local = clock.local(moment)
    return f"{format_day(local.date())} {local.strftime('%H:%M:%S')}"


def _require_admin(check=policy.can_read_audit_log):
    actor = http.current_actor()
    if actor is None or not check(actor):
        abort(403)
    return actor


def _tools():
    tools = [
        ("auth.users", _("Användare"), _("Skapa, inaktivera och aktivera konton och återställ tvåstegsverifiering.")),
        ("admin.audit", _("Granskningslogg"), _("Sök och exportera vem som gjort eller läst vad, och nekade förfrågningar.")),
        ("admin.log_review", _("Loggkontroll"), _("Månadens stickprov av läsningar av deltagaruppgifter.")),
        ("admin.erasure", _("Gallring"), _("Gallringsregeln, och radering av en deltagares uppgifter på begäran.")),
    ]
    links = [(url_for(endpoint), label, text) for endpoint, label, text in tools if endpoint in current_app.view_functions]
    # The accounting codes page belongs to billing; link it when it is installed.
    if any(rule.rule == "/admin/organisationer" for rule in current_app.url_map.iter_rules()):
        links.append(("/admin/organisationer", _("Organisationer och konton"), _("Ansvar, kostnads- och intäktskonton och standardverksamhetskod för filerna till ekonomisystemet.")))
    return links


@bp.get("")
@login_required
def index():
    _require_admin()
    return render_template("marketplace/admin/index.html", tools=_tools())


def _parse_date(name: str, errors: list[str]) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.append(_("Ange datum som ÅÅÅÅ-MM-DD."))
        return None


def _audit_filter() -> tuple[audit_queries.AuditFilter, list[str]]:
    errors: list[str] = []
    filters = audit_queries.AuditFilter(
        date_from=_parse_date("fran", errors), date_to=_parse_date("till", errors),
        actor=request.args.get("aktor", "")[:254], action=request.args.get("handelse", "")[:60],
        object_type=request.args.get("objekttyp", "")[:40], object_id=request.args.get("objekt", "")[:60],
    )
    return filters, errors


def _filter_args() -> dict:
    return {key: request.args[key] for key in ("fran", "till", "aktor", "handelse", "objekttyp", "objekt") if request.args.get(key)}


@bp.get("/granskningslogg", endpoint="audit")
@login_required
def audit_page():
    _require_admin()
    filters, errors = _audit_filter()
    session, page = http.request_session(), http.page_args(default_per_page=50)
    rows, total = ([], 0) if errors else audit_queries.search_audit(session, filters, offset=page.offset, limit=page.per_page)
    return render_template(
        "marketplace/admin/audit.html", rows=rows, total=total, page=page, errors=errors, args=_filter_args(),
        actions=audit_queries.known_actions(session),
    ), 422 if errors else 200


@bp.get("/granskningslogg.csv")
@login_required
def audit_export():
    actor = _require_admin()
    filters, errors = _audit_filter()
    if errors:
        abort(422)
    session = http.request_session()
    with transaction(session):
        audit.record(session, actor=actor, action="audit.export", object_type="audit_log", now=clock.now(),
                     ip=http.client_ip(), details={"filters": _filter_args()})
    stamp = clock.today().isoformat()
    engine = http.engine()

    def rows():
        # Its own session, closed when the last row is sent (not at request teardown, which
        # a streamed response reaches only when the server closes it).
        with Session(engine) as own:
            yield from audit_queries.export_csv(own, filters)

    return Response(rows(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="granskningslogg-{stamp}.csv"'})


def _previous_month(today: date) -> privacy.Period:
    return privacy.Period(today.year - (today.month == 1), (today.month - 2) % 12 + 1)


@bp.route("/loggkontroll", methods=["GET", "POST"])
@login_required
def log_review():
    actor = _require_admin()
    session, today = http.request_session(), clock.today()
    try:
        period = privacy.Period.parse(request.values.get("manad") or str(_previous_month(today)))
    except DomainError as error:
        flash(_(error.message), "error")
        return redirect(url_for(".log_review"))
    form, status = LogReviewForm(), 200
    review = privacy.get_log_review(session, period)
    size = (review.sample_size if review else None) or request.values.get("antal", type=int) or DEFAULT_SAMPLE
    size = max(1, min(size, 500))
    if form.validate_on_submit():
        try:
            with transaction(session):
                privacy.record_log_review(session, period, actor=actor, size=form.size.data or size,
                                          findings=form.findings.data, deviations_found=form.deviations_found.data,
                                          today=today, now=clock.now(), ip=http.client_ip())
        except DomainError as error:
            target = form.findings.errors if error.field == "findings" else form.form_errors
            target.append(_(error.message))
            status = 422
        else:
            flash(_("Loggkontrollen för %(period)s är registrerad.", period=str(period)), "success")
            return redirect(url_for(".log_review", manad=str(period)))
    elif request.method == "POST":
        status = 422
    if review is not None:
        population, rows = review.population, privacy.reviewed_rows(session, review)
    else:
        population, rows = privacy.draw_log_sample(session, period, size)
    reviewer = session.get(User, review.reviewer_id) if review else None
    form.size.data = form.size.data or size
    return render_template(
        "marketplace/admin/log_review.html", period=period, population=population, rows=rows, review=review,
        reviewer=reviewer, form=form, size=size, month_over=period.next.first_day <= today,
        previous=_previous_month(period.first_day.replace(day=1)), following=period.next,
    ), status


@bp.get("/gallring")
@login_required
def erasure():
    _require_admin()
    session, settings = http.request_session(), http.settings()
    lookup = ErasureLookupForm(request.args)
    found, related, organisations = None, [], {}
    status = 200
    if request.args.get("ref"):
        if lookup.validate():
            found = session.execute(select(Booking).where(Booking.ref == lookup.ref.data.strip().upper())).scalar_one_or_none()
            if found is None:
                lookup.ref.errors.append(_("Det finns ingen bokning med det numret."))
                status = 404
            else:
                related = privacy.bookings_of_same_participant(session, found)
                organisations = {o.id: o for o in session.execute(select(Organisation)).scalars()}
        else:
            status = 422
    due = len(session.execute(privacy.expired_bookings_query(today=clock.today(), months=settings.retention_months)).all())
    recent = session.execute(select(ErasureRecord).order_by(ErasureRecord.erased_at.desc(), ErasureRecord.id.desc()).limit(20)).scalars().all()
    form = ErasureForm(data={"ref": found.ref if found else ""})
    return render_template(
        "marketplace/admin/erasure.html", lookup=lookup, found=found, related=related, organisations=organisations,
        form=form, settings=settings, due=due, recent=recent,
    ), status


@bp.post("/gallring")
@login_required
def erase():
    actor = _require_admin()
    form = ErasureForm()
    session = http.request_session()
    if not form.validate_on_submit():
        flash(_("Ange skälet till gallringen (5–1000 tecken)."), "error")
        return redirect(url_for(".erasure", ref=form.ref.data or None)), 303
    booking = session.execute(select(Booking).where(Booking.ref == form.ref.data.strip().upper())).scalar_one_or_none()
    if booking is None:
        abort(404)
    try:
        with transaction(session):
            records = privacy.erase_on_request(session, booking, actor=actor, reason=form.reason.data,
                                               now=clock.now(), ip=http.client_ip(),
                                               document_dir=http.settings().resolved_document_dir())
    except DomainError as error:
        flash(_(error.message), "error")
        return redirect(url_for(".erasure", ref=booking.ref)), 303
    flash(_("Personuppgifterna i %(count)s bokning(ar) är gallrade.", count=len(records)), "success")
    return redirect(url_for(".erasure", ref=booking.ref)), 303


@bp.post("/anvandare/<int:user_id>/tvafaktor")
@login_required
def reset_second_factor(user_id: int):
    actor = _require_admin(policy.can_manage_users)
    ConfirmForm().validate_on_submit() or abort(400)
    session = http.request_session()
    user = session.get(User, user_id) or abort(404)
    with transaction(session):
        totp.reset(session, user)
        audit.record(session, actor=actor, action="user.totp_reset", object_type="user", object_id=user.id,
                     now=clock.now(), ip=http.client_ip())
    flash(_("Tvåstegsverifieringen för %(name)s är återställd. Personen aktiverar den igen vid nästa inloggning.", name=user.name), "success")
    return redirect(url_for("auth.users"))
