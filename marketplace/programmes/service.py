"""Programme operations shared by pages, API and CLI: visibility, the Programme document,
and the catalogue use cases wrapped with the audit row and the capacity floor. No Flask.

The caller opens the transaction (write_lock=True for updates, so the capacity floor is
decided under the programme lock) and asks the policy before calling.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import programmes as catalogue
from catalog import reservations
from catalog.errors import CatalogError
from catalog.models import Category, Organisation, Programme, ProgrammeStatus, TargetGroup
from catalog.search import ProgrammeFilters, bound_values, count_query, executed_values, is_narrow, page_query, search_shape
from marketplace import audit
from marketplace.auth import policy
from marketplace.auth.policy import Actor
from marketplace.bookings.public import capacity
from marketplace.kernel.db import lock_programme
from marketplace.kernel.errors import Conflict, DomainError, Invalid, NotFound
from marketplace.kernel.statement_cache import StatementCache

CURRENCY = "SEK"


def to_domain_error(error: CatalogError) -> DomainError:
    """The marketplace's error for a catalogue error (422 invalid input, 409 wrong status)."""
    if error.status == 422:
        return Invalid(error.message, errors=error.errors, code=error.code, field=error.field)
    if error.status == 404:
        return NotFound(error.message, code=error.code, field=error.field)
    return Conflict(error.message, code=error.code, field=error.field)


def sek_amount(amount_ore: int) -> str:
    """Öre as the API's amount string with two decimals ("4500.00"): exact, nothing rounded."""
    sign = "-" if amount_ore < 0 else ""
    whole, ore = divmod(abs(amount_ore), 100)
    return f"{sign}{whole}.{ore:02d}"


def is_visible(actor: Actor, programme: Programme) -> bool:
    if programme.status == ProgrammeStatus.PUBLISHED:
        return True
    return policy.can_see_unpublished_programme(actor, programme.organisation_id)


def get_visible_programme(session: Session, actor: Actor, programme_id: int) -> Programme | None:
    """The programme if the actor may see it (published, or unpublished and theirs), else None."""
    programme = session.get(Programme, programme_id)
    if programme is None or not is_visible(actor, programme):
        return None
    return programme


def organisation_by_code(session: Session, code: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.code == code.upper())).scalar_one_or_none()


# --- the Programme document (API.md) ------------------------------------------------------


def programme_documents(session: Session, programmes: Sequence[Programme], *, today: date, now: datetime,
                        free: dict[int, int] | None = None, organisations: dict[int, tuple[str, str]] | None = None,
                        groups: dict[int, list[str]] | None = None, target_group: str | None = None,
                        next_free: dict[int, object] | None = None) -> list[dict]:
    """The API's Programme documents, with free places today and the next free date, in five
    queries whatever the count (two more when some reserve places).

    `free` ({id: places free today}), `organisations` ({id: (code, name)}) and `groups` ({id:
    target-group codes}) may come with the programmes (search_documents() reads them in the
    page's own statement): then nothing is read here, and `next_free` ({id: date or None}) the
    stored next free dates that are fresh. Free places and the next free date are
    those of a request of no reservation, or with `target_group` of a participant of that
    group (marketplace/bookings/reserved_days.py).
    """
    ids = [p.id for p in programmes]
    if groups is None:
        groups = catalogue.target_group_codes(session, ids)
    if free is None:
        free = capacity.free_places_today(session, ids, today=today, now=now)
    reserving = [p for p in programmes if p.reserved_places]
    reserved = reservations.reservations_of(session, [p.id for p in reserving]) if reserving else {}
    if reserving:
        free = {**free, **capacity.reserved_free_today(session, reserving, today=today, now=now, target_group=target_group)}
    next_free = capacity.next_free_dates(session, programmes, today=today, now=now, target_group=target_group,
                                         known=next_free)
    if organisations is None:
        org_ids = {p.organisation_id for p in programmes}
        organisations = {row.id: (row.code, row.name) for row in session.execute(
            select(Organisation.id, Organisation.code, Organisation.name).where(Organisation.id.in_(org_ids)))} if org_ids else {}
    documents = []
    for programme in programmes:
        code, name = organisations[programme.organisation_id]
        documents.append({
            "id": programme.id,
            "code": programme.code,
            "name": programme.name,
            "description": programme.description,
            "organisation": {"id": programme.organisation_id, "code": code, "name": name},
            "category": programme.category_code,
            "target_groups": groups.get(programme.id, []),
            "capacity": programme.capacity,
            "free_places": free.get(programme.id, 0),
            "price": {"amount": sek_amount(programme.price_ore), "currency": CURRENCY, "unit": programme.price_unit},
            "price_ore": programme.price_ore,  # for pages (|sek); the API models leave it out
            "status": programme.status,
            "accessible": programme.accessible,
            "location": programme.location,
            "schedule": programme.schedule,
            "min_weeks": programme.min_weeks,
            "max_weeks": programme.max_weeks,
            "contact": {"name": programme.contact_name, "email": programme.contact_email, "phone": programme.contact_phone},
            "eligibility": programme.eligibility,
            "language_support": programme.language_support,
            "updated_at": programme.updated_at,
            "confirmed_at": catalogue.confirmed_since(programme),
            "not_confirmed_since": catalogue.confirmed_since(programme) if catalogue.is_stale(programme, now) else None,
            "valid_from": programme.valid_from,
            "valid_to": programme.valid_to,
            "funding": programme.funding,
            "min_age": programme.min_age,
            "max_age": programme.max_age,
            "requirements": programme.requirements,
            "activity_code": programme.activity_code or None,
            "next_free_date": next_free.get(programme.id),
            "reserved": reserved.get(programme.id, []),
        })
    return documents


# Search statements by shape (which filters, which availability form, documents or not).
SEARCH_STATEMENTS: StatementCache = StatementCache()


def _search_page(session: Session, filters: ProgrammeFilters, *, offset: int, limit: int,
                 available: tuple[date, date] | None, now: datetime, today: date | None = None,
                 start_by: tuple[date, date] | None = None, target_group: str | None = None):
    """(programmes, total, free, organisations, groups, next free) in one statement (catalog.search.page_query).

    With `today`, the same statement also reads each programme's organisation, target groups,
    the places committed today and its stored next free date where that is fresh, so the
    documents cost no query of their own (but one for stale next free dates). The
    statement is built once per shape (SEARCH_STATEMENTS) and run with this search's values.
    """
    values = bound_values(filters)
    form = None
    if available is not None:
        # Measured forms (benchmarks/RESULTS.md): few candidates probe the index per programme;
        # many share one set, a CTE on PostgreSQL (built once for page and count), a plain
        # list on SQLite (whose CTE materialisation costs more than building the list twice).
        form = "probe" if is_narrow(values) else "shared_set" if session.get_bind().dialect.name == "postgresql" else "set"
        values.update(capacity.availability_values(*available, now=now, target_group=target_group))
    if start_by is not None:
        values.update(capacity.start_by_values(start_by[0], today=start_by[1], now=now, target_group=target_group))
    if today is not None:
        values.update(capacity.committed_today_values(today=today, now=now))
        values.update(capacity.stored_next_free_values(now=now))
    values.update(page_offset=offset, page_limit=limit)

    def with_availability() -> ProgrammeFilters:
        extra = filters.extra
        if available is not None:
            extra = (*extra, capacity.availability_condition(*available, now=now, form=form, target_group=target_group))
        if start_by is not None:
            extra = (*extra, capacity.start_by_condition(start_by[0], today=start_by[1], now=now, target_group=target_group))
        return ProgrammeFilters(**{**filters.__dict__, "extra": extra}) if extra is not filters.extra else filters

    def build():
        query = page_query(with_availability(), offset=offset, limit=limit)
        if today is not None:
            query = capacity.with_stored_next_free(query.join(Organisation, Organisation.id == Programme.organisation_id)
                                                   .add_columns(Organisation.code, Organisation.name,
                                                                capacity.committed_today(Programme.id, today=today, now=now),
                                                                catalogue.target_groups_column(Programme.id)),
                                                   Programme.id)
        return query

    # A caller's own extra conditions are not part of a shape: their statement is built each time.
    query = build() if filters.extra else SEARCH_STATEMENTS.get((search_shape(values), form, today is not None), build)
    rows = session.execute(query, executed_values(values)).all()
    if rows:
        total = rows[0][1]
    else:
        total = session.execute(count_query(with_availability())).scalar_one() if offset > 0 else 0
    programmes = [row[0] for row in rows]
    if today is None:
        return programmes, total, None, None, None, None
    free = {row[0].id: capacity.free_places(row[0].capacity, row[4]) for row in rows}
    organisations = {row[0].organisation_id: (row[2], row[3]) for row in rows}
    groups = {row[0].id: catalogue.split_codes(row[5]) for row in rows}
    next_free = {row[0].id: row[6] for row in rows if row[7]}
    return programmes, total, free, organisations, groups, next_free


def search(session: Session, filters: ProgrammeFilters, *, offset: int, limit: int,
           available: tuple[date, date] | None = None, now: datetime) -> tuple[list[Programme], int]:
    """One page of programmes matching the filters (and free on every day of `available`), and the total."""
    programmes, total, *_documents = _search_page(session, filters, offset=offset, limit=limit, available=available, now=now)
    return programmes, total


def search_documents(session: Session, filters: ProgrammeFilters, *, offset: int, limit: int,
                     available: tuple[date, date] | None = None, today: date, now: datetime,
                     start_by: date | None = None, target_group: str | None = None) -> tuple[list[dict], int]:
    """search() as Programme documents: one statement whatever the page size, and one for the
    page's next free dates. `start_by` keeps programmes whose next free date is on or before it;
    `target_group` (the participant's) lets availability, free places and the next free date
    count that group's reserved places too."""
    programmes, total, free, organisations, groups, next_free = _search_page(
        session, filters, offset=offset, limit=limit, available=available, now=now, today=today,
        start_by=(start_by, today) if start_by is not None else None, target_group=target_group or None)
    documents = programme_documents(session, programmes, today=today, now=now, free=free, organisations=organisations,
                                    groups=groups, target_group=target_group or None, next_free=next_free)
    return documents, total


# --- labels ---------------------------------------------------------------------------------


def category_labels(session: Session, locale: str = "sv") -> dict[str, str]:
    return {c.code: c.label(locale) for c in session.execute(select(Category).order_by(Category.code)).scalars()}


def target_group_labels(session: Session, locale: str = "sv") -> dict[str, str]:
    return {g.code: g.label(locale) for g in session.execute(select(TargetGroup).order_by(TargetGroup.code)).scalars()}


# --- writes: catalogue use case + audit (+ capacity floor) -----------------------------------


def create(session: Session, values: dict[str, Any], *, actor: Actor, now: datetime, ip: str | None = None) -> Programme:
    """Create a programme (and its reserved places, `values["reserved"]`)."""
    reserved = values.pop("reserved", None)
    try:
        programme = catalogue.create_programme(session, values, actor_id=actor.user_id, now=now)
        if reserved:
            reservations.replace(session, programme, reserved, actor_id=actor.user_id, now=now)
    except CatalogError as error:
        raise to_domain_error(error) from error
    audit.record(session, actor=actor, action="programme.create", object_type="programme", object_id=programme.id,
                 now=now, ip=ip, details={"code": programme.code, "status": programme.status})
    return programme


def update(session: Session, programme: Programme, values: dict[str, Any], *, actor: Actor, today: date,
           now: datetime, ip: str | None = None) -> dict[str, list]:
    """Apply changes; lowering capacity below what is committed on a day from today on is a 409.

    Call inside transaction(session, write_lock=True): the lock is taken here, before the
    floor is read, so no booking can slip in between the check and the write.
    """
    lock_programme(session, programme.id)
    session.refresh(programme)
    status = values.pop("status", None)
    reserved = values.pop("reserved", None)
    new_capacity = values.get("capacity")
    if isinstance(new_capacity, int) and not isinstance(new_capacity, bool) and 0 <= new_capacity < programme.capacity:
        capacity.check_capacity_floor(session, programme.id, new_capacity, today=today, now=now)
    try:
        if reserved is None:
            reservations.check_capacity(programme, new_capacity)
        changes = catalogue.update_programme(session, programme, values, actor_id=actor.user_id, now=now) if values else {}
        if reserved is not None:
            changes.update(reservations.replace(session, programme, reserved, actor_id=actor.user_id, now=now))
        if status is not None and status != programme.status:
            changes.update(catalogue.change_status(session, programme, status, actor_id=actor.user_id, now=now))
    except CatalogError as error:
        raise to_domain_error(error) from error
    if changes:
        audit.record(session, actor=actor, action="programme.update", object_type="programme", object_id=programme.id,
                     now=now, ip=ip, details={"fields": sorted(changes)})
    return changes


def change_status(session: Session, programme: Programme, target: str, *, actor: Actor, now: datetime,
                  ip: str | None = None) -> dict[str, list]:
    try:
        changes = catalogue.change_status(session, programme, target, actor_id=actor.user_id, now=now)
    except CatalogError as error:
        raise to_domain_error(error) from error
    audit.record(session, actor=actor, action=f"programme.{catalogue.STATUS_ACTIONS.get(target, target)}", object_type="programme", object_id=programme.id,
                 now=now, ip=ip, details={"from": changes["status"][0], "to": target})
    return changes


def confirm(session: Session, programme: Programme, *, actor: Actor, now: datetime, ip: str | None = None) -> None:
    """The keeper confirms the listing is current (confirmed_at = now), with an audit row."""
    try:
        catalogue.confirm_programme(session, programme, actor_id=actor.user_id, now=now)
    except CatalogError as error:
        raise to_domain_error(error) from error
    audit.record(session, actor=actor, action="programme.confirm", object_type="programme", object_id=programme.id,
                 now=now, ip=ip, details={})


def record_import(session: Session, created: Sequence[Programme], *, actor: Actor, now: datetime,
                  ip: str | None = None) -> None:
    """One audit row per imported programme (the catalogue's change log already has each create)."""
    for programme in created:
        audit.record(session, actor=actor, action="programme.create", object_type="programme", object_id=programme.id,
                     now=now, ip=ip, details={"code": programme.code, "status": programme.status, "via": "csv_import"})
