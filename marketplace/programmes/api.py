"""API: reference data, programme search and upkeep, availability, and the HSDS open-data export."""

from __future__ import annotations

from decimal import Decimal

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy import select

from catalog import hsds
from catalog.models import Category, Organisation, Programme, TargetGroup
from catalog.rules import price_ore_from_decimal
from catalog.search import ProgrammeFilters
from marketplace.kernel import clock, http
from marketplace.auth import policy
from marketplace.bookings.public import capacity
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Forbidden, Invalid, NotFound
from marketplace.kernel.problems import Problem
from marketplace.programmes import service
from marketplace.stats import public as stats
from marketplace.programmes.schemas import (
    AvailabilityOut, AvailabilityQuery, HsdsQuery, LabelList, LangQuery, OrganisationList, ProgrammeIn, ProgrammeList,
    ProgrammeItemOut, ProgrammeOut, ProgrammeOutcomesOut, ProgrammePatch, ProgrammePath, ProgrammeQuery,
)

api = APIBlueprint("programmes_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="catalogue")])
SECURITY = [{"bearer": []}]
MAX_AVAILABILITY_DAYS = 366


def _locale(query: LangQuery) -> str:
    if query.lang:
        return query.lang
    return request.accept_languages.best_match(["sv", "en"], default="sv") or "sv"


# --- reference data -------------------------------------------------------------------------


@api.get("/organisations", responses={200: OrganisationList, 401: Problem}, security=SECURITY)
def list_organisations():
    """Every organisation (district or administration), by name."""
    http.require_api_actor()
    rows = http.request_session().execute(select(Organisation).order_by(Organisation.name)).scalars()
    return {"items": [{"id": o.id, "code": o.code, "name": o.name, "kind": o.kind} for o in rows]}


def _labels(model, query: LangQuery) -> dict:
    http.require_api_actor()
    locale = _locale(query)
    rows = http.request_session().execute(select(model).order_by(model.code)).scalars()
    return {"items": [{"code": row.code, "label": row.label(locale)} for row in rows]}


@api.get("/target-groups", responses={200: LabelList, 401: Problem}, security=SECURITY)
def list_target_groups(query: LangQuery):
    """Target groups; labels in Swedish, or English with ?lang=en or Accept-Language: en."""
    return _labels(TargetGroup, query)


@api.get("/categories", responses={200: LabelList, 401: Problem}, security=SECURITY)
def list_categories(query: LangQuery):
    """Programme categories; labels in Swedish, or English with ?lang=en or Accept-Language: en."""
    return _labels(Category, query)


# --- programmes -----------------------------------------------------------------------------


def _ore(amount: Decimal, field: str) -> int:
    try:
        return price_ore_from_decimal(amount)
    except ValueError:
        raise Invalid("Priset får ha högst två decimaler.", field=field)


@api.get("/programmes", responses={200: ProgrammeList, 401: Problem, 422: Problem}, security=SECURITY)
def search_programmes(query: ProgrammeQuery):
    """Published programmes: free text (Swedish-aware, prefixes), filters, best match first."""
    actor = http.require_api_actor()
    if not policy.can_search_catalogue(actor):
        raise Forbidden("Your account has no role that may search the catalogue.")
    available = None
    if query.available_from or query.available_to:
        start = query.available_from or query.available_to
        end = query.available_to or start
        if end < start:
            raise Invalid("available_to is before available_from.", field="available_to")
        if (end - start).days > MAX_AVAILABILITY_DAYS:
            raise Invalid("The range may be at most one year.", field="available_to")
        available = (start, end)
    filters = ProgrammeFilters(
        q=query.q or "", category=query.category, target_groups=tuple(query.target_group),
        organisation=query.organisation, accessible=query.accessible or None,
        max_price_ore=None if query.max_price is None else _ore(query.max_price, "max_price"),
        participant_age=query.participant_age, stale_last=True,
    )
    items, total = service.search_documents(http.request_session(), filters, offset=(query.page - 1) * query.per_page,
                                            limit=query.per_page, available=available, today=clock.today(), now=clock.now(),
                                            start_by=query.start_by, target_group=query.participant_target_group)
    if total == 0 and query.page == 1:
        stats.count_unmet_search(http.request_session(), filters, today=clock.today())
    return ProgrammeList(items=items, total=total, page=query.page, per_page=query.per_page).model_dump(mode="json")


def _visible_or_404(session, actor, programme_id: int) -> Programme:
    programme = service.get_visible_programme(session, actor, programme_id)
    if programme is None:
        raise NotFound("No such programme.")
    return programme


def _document(session, programme: Programme) -> dict:
    document = service.programme_documents(session, [programme], today=clock.today(), now=clock.now())[0]
    return ProgrammeOut(**document).model_dump(mode="json")


@api.get("/programmes/<int:programme_id>", responses={200: ProgrammeItemOut, 401: Problem, 404: Problem},
         security=SECURITY)
def get_programme(path: ProgrammePath):
    """One programme (unpublished ones only for their keepers), with its outcomes over the last 24 months."""
    actor = http.require_api_actor()
    session = http.request_session()
    programme = _visible_or_404(session, actor, path.programme_id)
    outcomes = stats.programme_outcomes(session, programme.id, today=clock.today())
    return {**_document(session, programme), "outcomes": ProgrammeOutcomesOut(**outcomes.as_dict()).model_dump(mode="json", by_alias=True)}


def _values(body, fields: set[str], session) -> dict:
    """The use case's values from an API body (only the fields that were sent)."""
    values = {}
    simple = ("code", "name", "description", "eligibility", "location", "schedule", "capacity", "min_weeks",
              "max_weeks", "accessible", "language_support", "target_groups", "status", "valid_from", "valid_to",
              "funding", "min_age", "max_age", "requirements", "activity_code")
    for name in simple:
        if name in fields:
            values[name] = getattr(body, name)
    if "reserved" in fields and body.reserved is not None:
        values["reserved"] = [item.model_dump(exclude_none=True) for item in body.reserved]
    if "category" in fields:
        values["category_code"] = body.category
    if "price" in fields and body.price is not None:
        values["price_ore"] = _ore(body.price.amount, "price.amount")
        values["price_unit"] = body.price.unit
    elif "price" in fields:
        values["price_ore"] = None
    if "contact" in fields and body.contact is not None:
        for part in (body.contact.model_fields_set if isinstance(body, ProgrammePatch) else ("name", "email", "phone")):
            values[f"contact_{part}"] = getattr(body.contact, part)
    return values


@api.post("/programmes", responses={201: ProgrammeOut, 401: Problem, 403: Problem, 422: Problem}, security=SECURITY)
def create_programme(body: ProgrammeIn):
    """Create a programme for your organisation (coordinator) or any (admin)."""
    actor = http.require_api_actor()
    session = http.request_session()
    organisation_id = actor.organisation_id
    if body.organisation:
        organisation = service.organisation_by_code(session, body.organisation)
        if organisation is None:
            raise Invalid("Unknown organisation.", field="organisation")
        organisation_id = organisation.id
    if not policy.can_create_programme(actor, organisation_id):
        raise Forbidden("Only a coordinator of that organisation (or an admin) may add its programmes.")
    values = _values(body, set(ProgrammeIn.model_fields), session)
    values["organisation_id"] = organisation_id
    with transaction(session):
        programme = service.create(session, values, actor=actor, now=clock.now(), ip=http.client_ip())
    return _document(session, programme), 201


@api.patch("/programmes/<int:programme_id>",
           responses={200: ProgrammeOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
           security=SECURITY)
def update_programme(path: ProgrammePath, body: ProgrammePatch):
    """Change fields and/or status; lowering capacity below what is committed on a future day is 409."""
    actor = http.require_api_actor()
    session = http.request_session()
    programme = _visible_or_404(session, actor, path.programme_id)
    if not policy.can_edit_programme(actor, programme.organisation_id):
        raise Forbidden("Only a coordinator of the providing organisation (or an admin) may change it.")
    values = _values(body, body.model_fields_set, session)
    with transaction(session, write_lock=True):
        service.update(session, programme, values, actor=actor, today=clock.today(), now=clock.now(), ip=http.client_ip())
    return _document(session, programme)


@api.post("/programmes/<int:programme_id>/confirm",
          responses={200: ProgrammeOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem}, security=SECURITY)
def confirm_programme(path: ProgrammePath):
    """Confirm the listing is current: confirmed_at becomes now (coordinator of the provider, or admin)."""
    actor = http.require_api_actor()
    session = http.request_session()
    programme = _visible_or_404(session, actor, path.programme_id)
    if not policy.can_edit_programme(actor, programme.organisation_id):
        raise Forbidden("Only a coordinator of the providing organisation (or an admin) may confirm it.")
    with transaction(session, write_lock=True):
        service.confirm(session, programme, actor=actor, now=clock.now(), ip=http.client_ip())
    return _document(session, programme)


@api.get("/programmes/<int:programme_id>/availability",
         responses={200: AvailabilityOut, 401: Problem, 404: Problem, 422: Problem}, security=SECURITY)
def programme_availability(path: ProgrammePath, query: AvailabilityQuery):
    """Committed and free places on each day of [from, to] (at most a year); free counts the unreserved
    places, with participant_target_group also that group's reserved ones."""
    actor = http.require_api_actor()
    session = http.request_session()
    programme = _visible_or_404(session, actor, path.programme_id)
    if query.to < query.from_:
        raise Invalid("to is before from.", field="to")
    if (query.to - query.from_).days > MAX_AVAILABILITY_DAYS:
        raise Invalid("The range may be at most one year.", field="to")
    counts = capacity.free_by_day(session, programme, query.from_, query.to, now=clock.now(),
                                  target_group=query.participant_target_group)
    days = [{"date": day.isoformat(), "committed": used, "free": free} for day, (used, free) in counts.items()]
    return {"programme_id": programme.id, "capacity": programme.capacity, "days": days}


# --- open data ------------------------------------------------------------------------------


@api.get("/hsds/services", responses={422: Problem})
def hsds_services(query: HsdsQuery):
    """The published catalogue as Open Referral HSDS 3.0 services, with live free places. Open: no sign-in."""
    session, now = http.request_session(), clock.now()
    filters = ProgrammeFilters()
    documents, total = service.search_documents(session, filters, offset=(query.page - 1) * query.per_page,
                                                limit=query.per_page, today=clock.today(), now=now)
    return hsds.service_page(documents, category_labels=service.category_labels(session),
                             target_group_labels=service.target_group_labels(session),
                             total=total, page=query.page, per_page=query.per_page,
                             base_url=request.url_root.rstrip("/"), as_of=clock.today())
