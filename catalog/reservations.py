"""Reserved places (quotas) of a programme: read, validate and replace them. No Flask, no commit.

A programme may keep places for one target group or for one buying organisation:
`reserved: [{"target_group": CODE, "places": N}]` or `[{"organisation": CODE, "places": N}]`,
each group or organisation at most once, the places together at most the capacity. How they
are counted per day is the marketplace's (marketplace/bookings/reserved_days.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.errors import InvalidProgramme
from catalog.models import Organisation, Programme, ProgrammeChange, ProgrammeReservation, TargetGroup
from catalog.rules import MAX_CAPACITY

FIELD = "reserved"
MAX_RESERVATIONS = 20


def reservations_of(session: Session, programme_ids: list[int]) -> dict[int, list[dict]]:
    """{programme_id: [{"target_group": code, "places": n} or {"organisation": code, "places": n}]}, in one query."""
    result: dict[int, list[dict]] = {}
    if not programme_ids:
        return result
    rows = session.execute(
        select(ProgrammeReservation.programme_id, ProgrammeReservation.target_group_code, Organisation.code,
               ProgrammeReservation.places)
        .outerjoin(Organisation, Organisation.id == ProgrammeReservation.organisation_id)
        .where(ProgrammeReservation.programme_id.in_(programme_ids))
        .order_by(ProgrammeReservation.programme_id, ProgrammeReservation.id))
    for programme_id, group, organisation, places in rows:
        item = {"target_group": group} if group is not None else {"organisation": organisation}
        result.setdefault(programme_id, []).append({**item, "places": places})
    return result


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse(session: Session, items: Any, capacity: int, *, label: str = "Rad") -> list[tuple[str | None, int | None, int]]:
    """[(target group code, organisation id, places)] from the document's list; InvalidProgramme
    (422, field "reserved") naming every fault: an item that names neither or both, an unknown
    code, one named twice, places not a whole number from 1 to MAX_CAPACITY, or more places than
    the capacity. `label` is the word each message numbers the items with (the CSV import's rows
    are rows of the file, so it numbers "Reservation 1", "Reservation 2")."""
    errors: list[tuple[str, str]] = []
    if not isinstance(items, list) or len(items) > MAX_RESERVATIONS:
        raise InvalidProgramme("Reserverade platser ska vara en lista.", errors=[(FIELD, "Reserverade platser ska vara "
                               f"en lista med högst {MAX_RESERVATIONS} rader.")], field=FIELD)
    parsed: list[tuple[str | None, int | None, int]] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or set(item) - {"target_group", "organisation", "places"} or \
                ("target_group" in item) == ("organisation" in item):
            errors.append((FIELD, f"{label} {number}: ange antingen en målgrupp eller en organisation, och antal platser."))
            continue
        places = item.get("places")
        if not _is_count(places) or not 1 <= places <= MAX_CAPACITY:
            errors.append((FIELD, f"{label} {number}: antal platser ska vara ett heltal från 1 till {MAX_CAPACITY}."))
            continue
        kind = "target_group" if "target_group" in item else "organisation"
        code = item[kind]
        if not isinstance(code, str) or not code.strip():
            errors.append((FIELD, f"{label} {number}: ange en kod."))
            continue
        code = code.strip() if kind == "target_group" else code.strip().upper()
        if (kind, code) in seen:
            errors.append((FIELD, f"{label} {number}: {code} har redan reserverade platser."))
            continue
        seen.add((kind, code))
        if kind == "target_group":
            if session.get(TargetGroup, code) is None:
                errors.append((FIELD, f"{label} {number}: okänd målgrupp {code}."))
                continue
            parsed.append((code, None, places))
        else:
            organisation_id = session.execute(select(Organisation.id).where(Organisation.code == code)).scalar()
            if organisation_id is None:
                errors.append((FIELD, f"{label} {number}: okänd organisation {code}."))
                continue
            parsed.append((None, organisation_id, places))
    total = sum(places for _group, _organisation, places in parsed)
    if not errors and total > capacity:
        errors.append((FIELD, f"De reserverade platserna ({total}) är fler än insatsens platser ({capacity})."))
    if errors:
        raise InvalidProgramme("Reserverade platser: " + errors[0][1], errors=errors, field=FIELD)
    return parsed


def check_capacity(programme: Programme, capacity: Any) -> None:
    """A new capacity below the places already reserved is refused (422, field "capacity")."""
    if _is_count(capacity) and capacity < programme.reserved_places:
        message = f"Insatsen har {programme.reserved_places} reserverade platser; kapaciteten kan inte vara lägre."
        raise InvalidProgramme(message, errors=[("capacity", message)], field="capacity")


def replace(session: Session, programme: Programme, items: Any, *, actor_id: int | None, now: datetime) -> dict:
    """Replace the programme's reservations with `items` (the document's form); returns the
    change ({"reserved_places": [old, new]}, empty when nothing changed) and logs it with the programme.

    Call under the programme lock (the caller's transaction): the full-days index is
    recomputed for the programme on flush (marketplace/bookings/full_days.py)."""
    parsed = parse(session, items, programme.capacity)
    before = reservations_of(session, [programme.id]).get(programme.id, [])
    existing = session.execute(select(ProgrammeReservation).where(ProgrammeReservation.programme_id == programme.id)
                               .order_by(ProgrammeReservation.id)).scalars().all()
    if [(r.target_group_code, r.organisation_id, r.places) for r in existing] == parsed:
        return {}
    for row in existing:
        session.delete(row)
    session.flush()  # the old rows go before new ones may reuse a (programme, group) pair
    for group, organisation_id, places in parsed:
        session.add(ProgrammeReservation(programme_id=programme.id, target_group_code=group,
                                         organisation_id=organisation_id, places=places))
    programme.reserved_places = sum(places for _group, _organisation, places in parsed)
    session.flush()
    after = reservations_of(session, [programme.id]).get(programme.id, [])
    changes = {"reserved_places": [before, after]}  # the change log's name (marketplace/programmes/change_labels.py)
    programme.updated_at, programme.updated_by_id = now, actor_id
    session.add(ProgrammeChange(programme_id=programme.id, at=now, actor_id=actor_id, action="update", changes=changes))
    session.flush()
    return changes
