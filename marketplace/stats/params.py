"""Read and check the statistics period and organisation (shared by the page, files and API)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace.kernel.errors import Invalid
from marketplace.stats.buyers import SORT_KEYS
from marketplace.stats.labels import N_
from marketplace.stats.queries import Scope

MAX_DAYS = 366 * 10
# The dates a period may have: the service's data starts long after 2000, and a period at the
# edge of Python's calendar (year 1 or 9999) overflowed the day arithmetic into a 500.
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _parse(value: str | None, field: str, errors: list) -> date | None:
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        errors.append((field, N_("Ange datumet som ÅÅÅÅ-MM-DD.")))
        return None
    if day is not None and not EARLIEST <= day <= LATEST:
        errors.append((field, N_("Ange ett datum mellan 2000-01-01 och 2099-12-31.")))
        return None
    return day


def read_scope(session: Session, *, from_text: str | None, to_text: str | None, organisation: str | None,
               today: date) -> tuple[Scope, str | None]:
    """Default: this year until today, the whole city. Raises Invalid naming the field at fault."""
    errors: list[tuple[str, str]] = []
    first = _parse(from_text, "from", errors) or date(today.year, 1, 1)
    last = _parse(to_text, "to", errors) or max(today, first)
    if not errors and first > last:
        errors.append(("to", N_("Slutdatum kan inte vara före startdatum.")))
    elif not errors and (last - first).days > MAX_DAYS:
        errors.append(("to", N_("Perioden kan vara högst tio år.")))
    organisation_id, code = None, (organisation or "").strip().upper() or None
    if code:
        organisation_id = session.execute(select(Organisation.id).where(Organisation.code == code)).scalar_one_or_none()
        if organisation_id is None:
            errors.append(("organisation", N_("Okänd organisation.")))
    if errors:
        raise Invalid(N_("Statistikens urval har fel."), errors=errors)
    return Scope(first, last, organisation_id), code


def read_sort(text: str | None) -> tuple[str, bool]:
    """The comparison of buyers' order: a column key, '-' in front for descending (default:
    organisation name, ascending). Raises Invalid naming the field 'sort'."""
    value = (text or "").strip()
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if not key:
        return "organisation", False
    if key not in SORT_KEYS:
        raise Invalid(N_("Statistikens urval har fel."), errors=[("sort", N_("Okänd sortering."))])
    return key, descending
