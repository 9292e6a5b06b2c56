"""Programme use cases: create, update, publish, pause, archive. No Flask, no commit, no clock.

Each validates with catalog.rules, checks references against the database, writes the
programme, keeps its search documents in step, appends a ProgrammeChange naming every
changed field (old → new), and flushes. The caller owns the transaction; the marketplace
adds the audit row and the capacity floor (which need bookings).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog import rules, search
from catalog.errors import DuplicateCode, InvalidProgramme
from catalog.models import Category, Organisation, Programme, ProgrammeChange, ProgrammeStatus, ProgrammeTargetGroup, TargetGroup

CREATE_STATUSES = (ProgrammeStatus.DRAFT.value, ProgrammeStatus.PUBLISHED.value)
# The fields whose words a search finds (catalog/search.py builds the documents).
SEARCHED_FIELDS = ("name", "description", "location", "language_support", "category_code", "target_groups")
STATUS_ACTIONS = {"published": "publish", "paused": "pause", "archived": "archive", "draft": "draft"}


def target_groups_column(programme_id) -> ColumnElement[str | None]:
    """SQL: the programme's target-group codes as one space-separated string (NULL for none),
    a column for a statement that reads a page of programmes anyway (codes have no spaces,
    rules.CODE_PATTERN). split_codes() turns it back into target_group_codes()' sorted list."""
    return (
        select(func.aggregate_strings(ProgrammeTargetGroup.target_group_code, " "))
        .where(ProgrammeTargetGroup.programme_id == programme_id)
        .correlate_except(ProgrammeTargetGroup)
        .scalar_subquery()
    )


def split_codes(codes: str | None) -> list[str]:
    return sorted(codes.split(" ")) if codes else []


def target_group_codes(session: Session, programme_ids: list[int]) -> dict[int, list[str]]:
    """{programme_id: sorted target-group codes} for the given programmes, in one query."""
    result: dict[int, list[str]] = {pid: [] for pid in programme_ids}
    if not programme_ids:
        return result
    rows = session.execute(
        select(ProgrammeTargetGroup.programme_id, ProgrammeTargetGroup.target_group_code)
        .where(ProgrammeTargetGroup.programme_id.in_(programme_ids))
        .order_by(ProgrammeTargetGroup.programme_id, ProgrammeTargetGroup.target_group_code)
    )
    for programme_id, code in rows:
        result[programme_id].append(code)
    return result


def reference_errors(session: Session, values: dict[str, Any]) -> list[tuple[str, str]]:
    """Errors for an organisation, category or target group that does not exist."""
    errors = []
    if values.get("organisation_id") is not None and session.get(Organisation, values["organisation_id"]) is None:
        errors.append(("organisation", "Organisationen finns inte."))
    if values.get("category_code") is not None and session.get(Category, values["category_code"]) is None:
        errors.append(("category", f"Kategorin {values['category_code']} finns inte."))
    groups = values.get("target_groups")
    if groups:
        known = set(session.execute(select(TargetGroup.code).where(TargetGroup.code.in_(groups))).scalars())
        unknown = [code for code in groups if code not in known]
        if unknown:
            errors.append(("target_groups", "Okänd målgrupp: " + ", ".join(unknown) + "."))
    return errors


def code_taken(session: Session, code: str, *, except_id: int | None = None) -> bool:
    query = select(Programme.id).where(Programme.code == code)
    if except_id is not None:
        query = query.where(Programme.id != except_id)
    return session.execute(query).first() is not None


def _raise(errors: list[tuple[str, str]]) -> None:
    if errors:
        raise InvalidProgramme("Insatsen har fel i " + ", ".join(dict.fromkeys(f for f, _ in errors)) + ".",
                               errors=errors, field=errors[0][0])


def refresh_search(session: Session, programme: Programme, codes: list[str]) -> None:
    """Recompute the programme's search documents from its text, its location and language support,
    and its labels (sv and en)."""
    labels: list[str] = []
    category = session.get(Category, programme.category_code)
    if category is not None:
        labels += [category.label_sv, category.label_en]
    if codes:
        for group in session.execute(select(TargetGroup).where(TargetGroup.code.in_(codes))).scalars():
            labels += [group.label_sv, group.label_en]
    programme.search_name, programme.search_text = search.documents(
        programme.name, programme.description, labels, [programme.location or "", programme.language_support or ""])


def _set_target_groups(session: Session, programme_id: int, codes: list[str]) -> None:
    session.execute(delete(ProgrammeTargetGroup).where(ProgrammeTargetGroup.programme_id == programme_id))
    for code in codes:
        session.add(ProgrammeTargetGroup(programme_id=programme_id, target_group_code=code))


def _plain(value: Any) -> Any:
    """A value as the change log's JSON keeps it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def _record(session: Session, programme: Programme, action: str, changes: dict, *, actor_id: int | None,
            now: datetime) -> ProgrammeChange:
    programme.updated_at, programme.updated_by_id = now, actor_id
    change = ProgrammeChange(programme_id=programme.id, at=now, actor_id=actor_id, action=action, changes=changes)
    session.add(change)
    return change


def _flush_unique(session: Session, code: str) -> None:
    # The check above reads; a concurrent writer can still win the race, so the UNIQUE
    # constraint has the last word and becomes the same error.
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise DuplicateCode(f"Koden {code} används redan av en annan insats.", field="code") from error


def create_programme(session: Session, values: dict[str, Any], *, actor_id: int | None, now: datetime) -> Programme:
    """Create a programme (status draft unless `status` is published) with its target groups.

    Raises InvalidProgramme listing every bad field, or DuplicateCode.
    """
    values = rules.clean_text(values)
    if "activity_code" in values and values["activity_code"] is None:  # optional: none is ''
        values["activity_code"] = ""
    status = values.pop("status", None) or ProgrammeStatus.DRAFT.value
    errors = rules.field_errors(values, creating=True)
    errors += rules.range_errors(values)
    if status not in CREATE_STATUSES:
        errors.append(("status", "En ny insats får status utkast eller publicerad."))
    unknown = set(values) - set(rules.EDITABLE_FIELDS)
    errors += [(name, "Okänt fält.") for name in sorted(unknown)]
    if not errors:
        errors += reference_errors(session, values)
    _raise(errors)
    if code_taken(session, values["code"]):
        raise DuplicateCode(f"Koden {values['code']} används redan av en annan insats.", field="code")
    codes = sorted(dict.fromkeys(values.pop("target_groups", None) or []))
    programme = Programme(**values, status=status, confirmed_at=now, created_at=now, updated_at=now,
                          updated_by_id=actor_id)
    refresh_search(session, programme, codes)
    session.add(programme)
    _flush_unique(session, programme.code)
    _set_target_groups(session, programme.id, codes)
    snapshot = {name: [None, _plain(getattr(programme, name))] for name in rules.EDITABLE_FIELDS
                if name != "target_groups" and getattr(programme, name) not in (None, "")}
    snapshot["target_groups"] = [None, codes]
    snapshot["status"] = [None, status]
    _record(session, programme, "create", snapshot, actor_id=actor_id, now=now)
    session.flush()
    return programme


def update_programme(session: Session, programme: Programme, values: dict[str, Any], *, actor_id: int | None,
                     now: datetime) -> dict[str, list]:
    """Apply the given fields; return {field: [old, new]} for those that really changed.

    Raises InvalidProgramme, DuplicateCode, or InvalidTransition for an archived programme.
    Capacity is not checked against bookings here: the marketplace does that under the
    programme lock before calling this.
    """
    rules.check_editable(programme.status)
    # An optional text sent as null means "clear it"; the required ones are refused below.
    values = {key: "" if value is None and key in rules.TEXT_LIMITS and key not in ("code", "name") else value
              for key, value in rules.clean_text(values).items()}
    errors = rules.field_errors(values, creating=False)
    unknown = set(values) - set(rules.EDITABLE_FIELDS)
    errors += [(name, "Okänt fält.") for name in sorted(unknown)]
    for name in ("code", "name", "organisation_id", "category_code", "capacity", "price_ore", "price_unit", "accessible"):
        if name in values and values[name] is None:
            errors.append((rules.PUBLIC_NAMES.get(name, name), rules.MESSAGES["required"]))
    errors += rules.range_errors(values, programme)
    if not errors:
        errors += reference_errors(session, values)
    _raise(errors)
    if "code" in values and code_taken(session, values["code"], except_id=programme.id):
        raise DuplicateCode(f"Koden {values['code']} används redan av en annan insats.", field="code")

    changes: dict[str, list] = {}
    old_codes = target_group_codes(session, [programme.id])[programme.id]
    codes = old_codes
    if "target_groups" in values:
        codes = sorted(dict.fromkeys(values.pop("target_groups") or []))
        if codes != old_codes:
            changes["target_groups"] = [old_codes, codes]
            _set_target_groups(session, programme.id, codes)
    for name, value in values.items():
        old = getattr(programme, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(programme, name, value)
    if not changes:
        return changes
    if set(SEARCHED_FIELDS) & set(changes):
        refresh_search(session, programme, codes)
    _flush_unique(session, programme.code)
    _record(session, programme, "update", changes, actor_id=actor_id, now=now)
    session.flush()
    return changes


def change_status(session: Session, programme: Programme, target: str, *, actor_id: int | None,
                  now: datetime) -> dict[str, list]:
    """Move the programme to `target` (see rules.TRANSITIONS); InvalidTransition otherwise."""
    rules.check_transition(programme.status, target)
    changes = {"status": [programme.status, target]}
    programme.status = target
    _record(session, programme, STATUS_ACTIONS[target], changes, actor_id=actor_id, now=now)
    session.flush()
    return changes


def publish_programme(session: Session, programme: Programme, *, actor_id: int | None, now: datetime) -> dict:
    return change_status(session, programme, ProgrammeStatus.PUBLISHED.value, actor_id=actor_id, now=now)


def pause_programme(session: Session, programme: Programme, *, actor_id: int | None, now: datetime) -> dict:
    return change_status(session, programme, ProgrammeStatus.PAUSED.value, actor_id=actor_id, now=now)


def archive_programme(session: Session, programme: Programme, *, actor_id: int | None, now: datetime) -> dict:
    return change_status(session, programme, ProgrammeStatus.ARCHIVED.value, actor_id=actor_id, now=now)


def confirm_programme(session: Session, programme: Programme, *, actor_id: int | None, now: datetime) -> dict:
    """A keeper confirms the listing is current: confirmed_at becomes now (archived: InvalidTransition)."""
    rules.check_editable(programme.status)
    changes = {"confirmed_at": [programme.confirmed_at.isoformat() if programme.confirmed_at else None, now.isoformat()]}
    programme.confirmed_at = now
    programme.confirm_reminded_at = None
    programme.stale = False
    _record(session, programme, "confirm", changes, actor_id=actor_id, now=now)
    session.flush()
    return changes


def confirmed_since(programme: Programme) -> datetime:
    """When the listing was last confirmed (its creation when never)."""
    return programme.confirmed_at or programme.created_at


def is_stale(programme: Programme, now: datetime) -> bool:
    """True when the last confirmation is more than CONFIRM_STALE_DAYS old ("not confirmed since …")."""
    return (now - confirmed_since(programme)).days >= rules.CONFIRM_STALE_DAYS


def last_change(session: Session, programme_id: int) -> ProgrammeChange | None:
    return session.execute(
        select(ProgrammeChange).where(ProgrammeChange.programme_id == programme_id)
        .order_by(ProgrammeChange.at.desc(), ProgrammeChange.id.desc()).limit(1)
    ).scalar_one_or_none()


def list_changes(session: Session, programme_id: int, limit: int = 20) -> list[ProgrammeChange]:
    return list(session.execute(
        select(ProgrammeChange).where(ProgrammeChange.programme_id == programme_id)
        .order_by(ProgrammeChange.at.desc(), ProgrammeChange.id.desc()).limit(limit)
    ).scalars())
