"""Pages: catalogue search, programme page, the coordinator's own list, forms, status, CSV import."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required
from wtforms.fields.choices import SelectChoice
from sqlalchemy import select

from catalog import importer
from catalog import programmes as catalogue
from catalog import reservations
from catalog.errors import CatalogError, ImportRejected
from catalog.models import Organisation, Programme, ProgrammeStatus
from catalog.rules import MAX_AGE, parse_price_ore
from catalog.search import ProgrammeFilters
from marketplace.kernel import clock, http
from marketplace.auth import policy
from marketplace.auth.models import User
from marketplace.bookings.public import capacity
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from marketplace.i18n import current_locale
from marketplace.programmes import change_labels, import_columns, service
from marketplace.programmes.forms import UNIT_LABELS, ConfirmForm, ImportForm, ProgrammeForm, StatusForm
from marketplace.stats import public as stats

bp = Blueprint("programmes", __name__)

STATUS_LABELS = {"draft": _l("Utkast"), "published": _l("Publicerad"), "paused": _l("Pausad"), "archived": _l("Arkiverad")}
STATUS_BADGES = {"draft": "badge-muted", "published": "badge-success", "paused": "badge-warning", "archived": "badge-muted"}
ACTION_LABELS = {"published": _l("Publicera"), "paused": _l("Pausa"), "archived": _l("Arkivera")}
MAX_RANGE_DAYS = 366


def _actor():
    actor = http.current_actor()
    if actor is None:
        abort(401)
    return actor


def _labels(session) -> dict:
    locale = current_locale()
    return {
        "categories": service.category_labels(session, locale),
        "target_groups": service.target_group_labels(session, locale),
        # Plain rows, not ORM objects: the search form lists all 290 organisations, and building
        # that many entities cost more than the search itself (benchmarks/RESULTS.md).
        "organisations": {row.id: row for row in session.execute(
            select(Organisation.id, Organisation.code, Organisation.name).order_by(Organisation.name))},
        "units": {key: str(value) for key, value in UNIT_LABELS.items()},
        "statuses": STATUS_LABELS,
        "status_badges": STATUS_BADGES,
    }


def _cards(session, rows: list[Programme]) -> list[dict]:
    return service.programme_documents(session, rows, today=clock.today(), now=clock.now())


# --- search ---------------------------------------------------------------------------------


def _search_args() -> tuple[dict, dict[str, str]]:
    """The search form's values from the query string, and Swedish errors for what cannot be read."""
    args = request.args
    values = {
        "q": args.get("q", "").strip()[:200],
        "category": args.get("category", "").strip(),
        "target_group": [code for code in args.getlist("target_group") if code][:20],
        "organisation": args.get("organisation", "").strip(),
        "accessible": args.get("accessible") in ("1", "true", "on", "y"),
        "max_price": args.get("max_price", "").strip(),
        "available_from": args.get("available_from", "").strip(),
        "available_to": args.get("available_to", "").strip(),
        "participant_age": args.get("participant_age", "").strip(),
        "start_by": args.get("start_by", "").strip()[:20],
        "participant_target_group": args.get("participant_target_group", "").strip()[:40],
    }
    errors: dict[str, str] = {}
    if values["max_price"]:
        try:
            values["max_price_ore"] = parse_price_ore(values["max_price"])
        except ValueError:
            errors["max_price"] = _("Ange högsta pris som ett belopp i kronor, till exempel 5 000.")
    if values["participant_age"]:
        if values["participant_age"].isdigit() and int(values["participant_age"]) <= MAX_AGE:
            values["participant_age_number"] = int(values["participant_age"])
        else:
            errors["participant_age"] = _("Ange deltagarens ålder som ett heltal mellan 0 och %(max)s.", max=MAX_AGE)
    for name in ("available_from", "available_to"):
        if values[name]:
            try:
                values[name + "_date"] = date.fromisoformat(values[name])
            except ValueError:
                errors[name] = _("Ange datum som ÅÅÅÅ-MM-DD.")
    if values["start_by"]:
        try:
            values["start_by_date"] = date.fromisoformat(values["start_by"])
        except ValueError:
            errors["start_by"] = _("Ange ett datum som ÅÅÅÅ-MM-DD.")
    start, end = values.get("available_from_date"), values.get("available_to_date")
    if start or end:
        start, end = start or end, end or start
        if end < start:
            errors["available_to"] = _("Slutdatum får inte vara före startdatum.")
        elif (end - start).days > MAX_RANGE_DAYS:
            errors["available_to"] = _("Välj högst ett år.")
        else:
            values["available"] = (start, end)
    return values, errors


@bp.get("/insatser")
@login_required
def search():
    actor = _actor()
    if not policy.can_search_catalogue(actor):
        abort(403)
    session = http.request_session()
    values, errors = _search_args()
    page = http.page_args(default_per_page=20, max_per_page=100)
    cards, total = [], 0
    if not errors:
        filters = ProgrammeFilters(
            q=values["q"], category=values["category"] or None, target_groups=tuple(values["target_group"]),
            organisation=values["organisation"] or None, accessible=values["accessible"] or None,
            max_price_ore=values.get("max_price_ore"), participant_age=values.get("participant_age_number"),
            stale_last=True,
        )
        cards, total = service.search_documents(session, filters, offset=page.offset, limit=page.per_page,
                                                available=values.get("available"), today=clock.today(), now=clock.now(),
                                                start_by=values.get("start_by_date"),
                                                target_group=values["participant_target_group"] or None)
        if total == 0 and page.offset == 0:
            stats.count_unmet_search(session, filters, today=clock.today())
    link_args = {k: v for k, v in values.items() if k in (
        "q", "category", "target_group", "organisation", "max_price", "available_from", "available_to",
        "participant_age", "start_by", "participant_target_group") and v}
    if values["accessible"]:
        link_args["accessible"] = "1"
    return render_template(
        "marketplace/programmes/search.html", values=values, errors=errors, cards=cards, total=total,
        page=page, link_args=link_args, searched=bool(link_args), **_labels(session),
    ), 422 if errors else 200


# --- programme page -------------------------------------------------------------------------


@bp.get("/insatser/<int:programme_id>")
@login_required
def detail(programme_id: int):
    actor = _actor()
    session = http.request_session()
    programme = service.get_visible_programme(session, actor, programme_id) or abort(404)
    document = _cards(session, [programme])[0]
    change = catalogue.last_change(session, programme.id)
    changed_by = session.get(User, change.actor_id) if change and change.actor_id else None
    can_edit = policy.can_edit_programme(actor, programme.organisation_id)
    can_request = (programme.status == ProgrammeStatus.PUBLISHED and policy.can_request_place(actor)
                   and "bookings.new" in current_app.view_functions)
    can_see_occupancy = ("bookings.occupancy" in current_app.view_functions
                         and policy.can_see_occupancy(actor, programme.organisation_id))
    labels = _labels(session)
    return render_template(
        "marketplace/programmes/detail.html", programme=programme, p=document, last_change=change, changed_by=changed_by,
        reserved_today=_reserved_today(session, actor, programme, labels),
        organisation_names={row.code: row.name for row in labels["organisations"].values()},
        can_edit=can_edit, can_confirm=can_edit and programme.status != ProgrammeStatus.ARCHIVED,
        can_request=can_request, can_see_occupancy=can_see_occupancy, actions=_actions(programme) if can_edit else [],
        history=catalogue.list_changes(session, programme.id, limit=10) if can_edit else [],
        describe_change=change_labels.describe,
        outcomes=stats.programme_outcomes(session, programme.id, today=clock.today()),
        status_form=StatusForm(), **labels,
    )


def _reserved_today(session, actor, programme: Programme, labels: dict) -> dict | None:
    """Free places today split by reservation, named for people (None: the programme reserves none),
    so a programme whose only free places are reserved is not shown as full."""
    if not programme.reserved_places:
        return None
    unreserved, reserved = capacity.free_today_by_reservation(session, programme, today=clock.today(), now=clock.now())
    rows = []
    for item in reserved:
        if item.target_group is not None:
            name = labels["target_groups"].get(item.target_group, item.target_group)
        else:
            organisation = labels["organisations"].get(item.organisation_id)
            name = organisation.name if organisation is not None else ""
        rows.append({"name": name, "free": item.free,
                     "yours": item.organisation_id is not None and item.organisation_id == actor.organisation_id})
    return {"unreserved": unreserved, "reservations": rows, "any": unreserved > 0 or any(r["free"] for r in rows)}


def _actions(programme: Programme) -> list[tuple[str, str]]:
    from catalog.rules import TRANSITIONS

    order = ("published", "paused", "archived")
    allowed = TRANSITIONS.get(programme.status, frozenset())
    return [(target, ACTION_LABELS[target]) for target in order if target in allowed]


# --- the coordinator's own list ------------------------------------------------------------


def _require_keeper():
    actor = _actor()
    if not (actor.is_admin or actor.has("coordinator")):
        abort(403)
    return actor


@bp.get("/vara-insatser")
@login_required
def manage():
    actor = _require_keeper()
    session = http.request_session()
    page = http.page_args(default_per_page=50, max_per_page=100)
    status = request.args.get("status", "")
    filters = ProgrammeFilters(
        q=request.args.get("q", "").strip()[:200],
        statuses=(status,) if status in STATUS_LABELS else tuple(STATUS_LABELS),
        organisation_id=None if actor.is_admin else actor.organisation_id,
    )
    rows, total = service.search(session, filters, offset=page.offset, limit=page.per_page, now=clock.now())
    link_args = {k: v for k, v in (("q", filters.q), ("status", status)) if v}
    return render_template(
        "marketplace/programmes/manage.html", cards=_cards(session, rows), total=total, page=page, link_args=link_args,
        status=status, q=filters.q, status_form=StatusForm(), actions_for=_actions, programmes={p.id: p for p in rows},
        **_labels(session),
    )


# --- create and edit ------------------------------------------------------------------------


def _prepare(form: ProgrammeForm, session, actor) -> None:
    locale = current_locale()
    form.category.choices = [SelectChoice("", _("Välj kategori"))] + [
        SelectChoice(code, label) for code, label in sorted(service.category_labels(session, locale).items(), key=lambda item: item[1])]
    form.target_groups.choices = [
        SelectChoice(code, label) for code, label in sorted(service.target_group_labels(session, locale).items(), key=lambda item: item[1])]
    organisations = session.execute(select(Organisation).order_by(Organisation.name)).scalars()
    form.organisation.choices = [SelectChoice(o.code, o.name) for o in organisations
                                 if actor.is_admin or o.id == actor.organisation_id]
    form.price_unit.choices = [SelectChoice(key, str(label)) for key, label in UNIT_LABELS.items()]


def _apply_errors(form: ProgrammeForm, error: DomainError) -> None:
    errors = getattr(error, "errors", None) or [(error.field, error.message)]
    for field, message in errors:
        target = getattr(form, field or "", None)
        if target is not None and hasattr(target, "errors") and field != "csrf_token":
            if isinstance(target.errors, tuple):
                target.errors = list(target.errors)
            target.errors.append(message)
        else:
            form.form_errors.append(message)


@bp.route("/vara-insatser/ny", methods=["GET", "POST"])
@login_required
def new():
    actor = _require_keeper()
    session = http.request_session()
    form = ProgrammeForm()
    _prepare(form, session, actor)
    if request.method == "GET":
        own = session.get(Organisation, actor.organisation_id)
        form.organisation.data = own.code if own else None
        form.price_unit.data = "month"
    if form.validate_on_submit():
        organisation = service.organisation_by_code(session, form.organisation.data)
        if organisation is None or not policy.can_create_programme(actor, organisation.id):
            abort(403)
        values = form.values() | {"organisation_id": organisation.id,
                                  "status": "published" if form.publish.data else "draft"}
        try:
            with transaction(session):
                programme = service.create(session, values, actor=actor, now=clock.now(), ip=http.client_ip())
        except DomainError as error:
            _apply_errors(form, error)
        else:
            flash(_("Insatsen %(name)s är sparad.", name=programme.name) if programme.status != "published"
                  else _("Insatsen %(name)s är publicerad.", name=programme.name), "success")
            return redirect(url_for(".detail", programme_id=programme.id))
    return render_template("marketplace/programmes/form.html", form=form, programme=None), 422 if form.errors else 200


def _own_or_abort(actor, programme_id: int) -> Programme:
    session = http.request_session()
    programme = service.get_visible_programme(session, actor, programme_id) or abort(404)
    if not policy.can_edit_programme(actor, programme.organisation_id):
        abort(403)
    return programme


@bp.route("/vara-insatser/<int:programme_id>/andra", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    actor = _actor()
    programme = _own_or_abort(actor, programme_id)
    session = http.request_session()
    form = ProgrammeForm()
    del form.publish
    _prepare(form, session, actor)
    if request.method == "GET":
        _fill(form, session, programme)
    if form.validate_on_submit():
        organisation = service.organisation_by_code(session, form.organisation.data)
        if organisation is None or not policy.can_create_programme(actor, organisation.id):
            abort(403)
        values = form.values() | {"organisation_id": organisation.id}
        try:
            with transaction(session, write_lock=True):
                changes = service.update(session, programme, values, actor=actor, today=clock.today(), now=clock.now(),
                                         ip=http.client_ip())
        except DomainError as error:
            if error.code == "capacity_below_committed":
                days = error.params.get("days", [])
                error = type(error)(_("Det finns redan fler bokade platser än så den %(day)s (och %(count)s dagar totalt). "
                                      "Välj minst så många platser som är bokade.", day=days[0] if days else "", count=len(days)),
                                    field="capacity")
            _apply_errors(form, error)
        else:
            flash(_("Ändringarna är sparade.") if changes else _("Inget var ändrat."), "success")
            return redirect(url_for(".detail", programme_id=programme.id))
    return render_template("marketplace/programmes/form.html", form=form, programme=programme), 422 if form.errors else 200


def _fill(form: ProgrammeForm, session, programme: Programme) -> None:
    organisation = session.get(Organisation, programme.organisation_id)
    form.organisation.data = organisation.code
    for name in ("code", "name", "description", "eligibility", "location", "schedule", "language_support",
                 "contact_name", "contact_email", "contact_phone", "requirements", "funding", "activity_code"):
        getattr(form, name).data = getattr(programme, name)
    form.category.data = programme.category_code
    form.target_groups.data = catalogue.target_group_codes(session, [programme.id])[programme.id]
    form.capacity.data = str(programme.capacity)
    whole, ore = divmod(programme.price_ore, 100)
    form.price.data = f"{whole}" if not ore else f"{whole},{ore:02d}"
    form.price_unit.data = programme.price_unit
    form.min_weeks.data = "" if programme.min_weeks is None else str(programme.min_weeks)
    form.max_weeks.data = "" if programme.max_weeks is None else str(programme.max_weeks)
    form.accessible.data = programme.accessible
    form.valid_from.data = programme.valid_from.isoformat() if programme.valid_from else ""
    form.valid_to.data = programme.valid_to.isoformat() if programme.valid_to else ""
    form.min_age.data = "" if programme.min_age is None else str(programme.min_age)
    form.max_age.data = "" if programme.max_age is None else str(programme.max_age)
    form.reserved.data = "\n".join(f"{item.get('target_group') or item.get('organisation')}: {item['places']}"
                                    for item in reservations.reservations_of(session, [programme.id]).get(programme.id, []))


# --- status ---------------------------------------------------------------------------------


@bp.post("/vara-insatser/<int:programme_id>/status")
@login_required
def change_status(programme_id: int):
    actor = _actor()
    programme = _own_or_abort(actor, programme_id)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    session = http.request_session()
    try:
        with transaction(session):
            service.change_status(session, programme, form.target.data, actor=actor, now=clock.now(), ip=http.client_ip())
    except DomainError as error:
        flash(_("Det gick inte: %(reason)s", reason=error.message), "error")
    else:
        messages = {"published": _("Insatsen är publicerad och syns i sökningen."),
                    "paused": _("Insatsen är pausad och syns inte i sökningen."),
                    "archived": _("Insatsen är arkiverad.")}
        flash(messages[form.target.data], "success")
    return redirect(http.safe_next(request.form.get("next"), default=url_for(".detail", programme_id=programme.id)))


@bp.post("/vara-insatser/<int:programme_id>/bekrafta")
@login_required
def confirm(programme_id: int):
    actor = _actor()
    programme = _own_or_abort(actor, programme_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    session = http.request_session()
    try:
        with transaction(session, write_lock=True):
            service.confirm(session, programme, actor=actor, now=clock.now(), ip=http.client_ip())
    except DomainError as error:
        flash(_("Det gick inte: %(reason)s", reason=error.message), "error")
    else:
        flash(_("Tack! Insatsen är bekräftad som aktuell."), "success")
    return redirect(url_for(".detail", programme_id=programme.id))


# --- CSV import -----------------------------------------------------------------------------


@bp.route("/vara-insatser/importera", methods=["GET", "POST"])
@login_required
def import_csv():
    actor = _actor()
    if not policy.can_import_programmes(actor):
        abort(403)
    form = ImportForm()
    row_errors: list[tuple[int, str, str]] = []
    status = 200
    if form.validate_on_submit():
        session = http.request_session()
        data = form.file.data.read()
        try:
            with transaction(session):
                created = importer.import_programmes(
                    session, data, default_organisation_id=actor.organisation_id,
                    allowed_organisation_ids=None if actor.is_admin else {actor.organisation_id},
                    actor_id=actor.user_id, now=clock.now())
                service.record_import(session, created, actor=actor, now=clock.now(), ip=http.client_ip())
        except ImportRejected as error:
            row_errors = error.row_errors
            status = 422
        except CatalogError as error:
            form.file.errors = [error.message]
            status = 422
        else:
            flash(ngettext("%(num)d insats är importerad.", "%(num)d insatser är importerade.", len(created)), "success")
            return redirect(url_for(".manage"))
    elif request.method == "POST":
        status = 422
    session = http.request_session()
    return render_template("marketplace/programmes/import.html", form=form, row_errors=row_errors,
                           columns=import_columns.columns(),
                           categories=service.category_labels(session, current_locale()),
                           target_groups=service.target_group_labels(session, current_locale())), status


@bp.get("/vara-insatser/importera/mall.csv")
@login_required
def import_template():
    if not policy.can_import_programmes(_actor()):
        abort(403)
    return Response(importer.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="insatser-mall.csv"'})



# --- start page -----------------------------------------------------------------------------


def _home_panels(session, actor) -> list:
    """Keepers see their programmes and free places today; staff get a way into the catalogue."""
    from marketplace.shell.home import Panel, PanelItem

    panels = []
    if actor.has("coordinator"):
        documents, total = service.search_documents(
            session, ProgrammeFilters(statuses=("draft", "published", "paused"), organisation_id=actor.organisation_id),
            offset=0, limit=6, today=clock.today(), now=clock.now())
        items = [PanelItem(d["name"], url_for("programmes.detail", programme_id=d["id"]),
                           _("%(free)s av %(places)s platser lediga idag", free=d["free_places"], places=d["capacity"])
                           if d["status"] == "published" else str(STATUS_LABELS[d["status"]]))
                 for d in documents]
        panels.append(Panel(_("Våra insatser"), items, empty_text=_("Ni har inga insatser ännu. Lägg till den första."),
                            more_url=url_for("programmes.manage"),
                            more_text=_("Alla %(count)s insatser", count=total) if total else _("Ny insats")))
    if actor.has("staff"):
        total = session.execute(service.count_query(ProgrammeFilters())).scalar_one()
        panels.append(Panel(_("Hitta en insats"), [], empty_text=ngettext("%(num)s publicerad insats i hela staden.",
                                                                   "%(num)s publicerade insatser i hela staden.", total),
                            more_url=url_for("programmes.search"), more_text=_("Sök insatser")))
    return panels


def _register_panels() -> None:
    from marketplace.shell.home import PANEL_PROVIDERS

    if _home_panels not in PANEL_PROVIDERS:
        PANEL_PROVIDERS.append(_home_panels)


_register_panels()
