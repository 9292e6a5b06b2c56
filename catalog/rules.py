"""Pure catalogue rules: programme field validation, status transitions, price parsing.

No session, no side effects: the use cases in catalog/programmes.py and the CSV importer
both call these, so a programme is valid by the same rules whichever way it arrives.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from catalog.errors import InvalidProgramme, InvalidTransition
from catalog.models import PriceUnit, ProgrammeStatus

MAX_CAPACITY = 10_000
MAX_PRICE_ORE = 10_000_000_00  # 10 million SEK: far above any real place, catches typos
MAX_WEEKS = 520
MAX_AGE = 120
# Upkeep: a reminder to confirm the listing after this many days, "not confirmed since" after these.
CONFIRM_REMIND_DAYS = 180
CONFIRM_STALE_DAYS = 270

TEXT_LIMITS = {
    "code": 40,
    "name": 200,
    "description": 5000,
    "eligibility": 3000,
    "location": 300,
    "schedule": 300,
    "language_support": 300,
    "contact_name": 200,
    "contact_email": 254,
    "contact_phone": 40,
    "funding": 300,
    "requirements": 3000,
    "activity_code": 10,
}
EDITABLE_FIELDS = (
    "code", "name", "description", "organisation_id", "category_code", "target_groups", "eligibility", "location",
    "schedule", "capacity", "price_ore", "price_unit", "min_weeks", "max_weeks", "accessible", "language_support",
    "contact_name", "contact_email", "contact_phone", "valid_from", "valid_to", "funding", "min_age", "max_age",
    "requirements", "activity_code",
)
# Internal names → the names the API and forms show (errors name the field the person sees).
PUBLIC_NAMES = {"organisation_id": "organisation", "category_code": "category", "price_ore": "price"}
REQUIRED_ON_CREATE = ("code", "name", "organisation_id", "category_code", "capacity", "price_ore", "price_unit")

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# The city's activity code (verksamhetskod): a programme's own, or its organisation's default.
ACTIVITY_CODE_PATTERN = re.compile(r"^[0-9]{3,10}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_PATTERN = re.compile(r"^[0-9+() -]+$")

# From each status, the statuses a keeper may move the programme to (archived is final).
TRANSITIONS: dict[str, frozenset[str]] = {
    ProgrammeStatus.DRAFT: frozenset({ProgrammeStatus.PUBLISHED, ProgrammeStatus.ARCHIVED}),
    ProgrammeStatus.PUBLISHED: frozenset({ProgrammeStatus.PAUSED, ProgrammeStatus.ARCHIVED}),
    ProgrammeStatus.PAUSED: frozenset({ProgrammeStatus.PUBLISHED, ProgrammeStatus.ARCHIVED}),
    ProgrammeStatus.ARCHIVED: frozenset(),
}

MESSAGES = {
    "required": "Fältet måste fyllas i.",
    "name": "Ange ett namn.",
    "code": "Koden får bara innehålla bokstäver a–z, siffror, punkt, bindestreck och understreck.",
    "too_long": "Texten får vara högst {limit} tecken.",
    "nul": "Texten innehåller ett otillåtet tecken (NUL).",
    "capacity": "Antal platser måste vara ett heltal mellan 0 och {max}.",
    "price": "Priset måste vara ett belopp i kronor, 0 eller mer.",
    "price_unit": "Prisenheten måste vara månad, dag eller placering.",
    "weeks": "Antal veckor måste vara ett heltal mellan 1 och {max}.",
    "weeks_order": "Längsta tid får inte vara kortare än kortaste tid.",
    "email": "Ange en giltig e-postadress.",
    "phone": "Telefonnumret får bara innehålla siffror, mellanslag, +, - och parenteser.",
    "accessible": "Ange ja eller nej.",
    "text": "Ange text.",
    "target_groups": "Ange målgrupper som en lista med koder.",
    "category": "Välj en kategori.",
    "organisation": "Välj en organisation.",
    "age": "Åldern måste vara ett heltal mellan 0 och {max}.",
    "age_order": "Högsta ålder får inte vara lägre än lägsta ålder.",
    "date": "Ange ett datum (ÅÅÅÅ-MM-DD).",
    "valid_order": "Giltig till får inte vara före giltig från.",
    "activity_code": "Verksamhetskoden är 3–10 siffror, till exempel 5700.",
}


def allowed_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_transition(current: str, target: str) -> None:
    """Raise InvalidTransition unless `current` may become `target` (archived is final)."""
    if not allowed_transition(current, target):
        raise InvalidTransition(
            f"En insats med status {current} kan inte få status {target}.",
            field="status", current=current, target=target,
        )


def check_editable(status: str) -> None:
    """Archived entries are history (bookings and bills refer to them); they are not edited."""
    if status == ProgrammeStatus.ARCHIVED:
        raise InvalidTransition("En arkiverad insats kan inte ändras.", field="status", current=status)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def field_errors(values: dict[str, Any], *, creating: bool) -> list[tuple[str, str]]:
    """Return (field, Swedish message) for every rule the given values break.

    On create every required field must be present; on update only the given fields are
    checked (min/max weeks are checked together by the caller with the merged values).
    """
    errors: list[tuple[str, str]] = []
    if creating:
        for name in REQUIRED_ON_CREATE:
            if values.get(name) is None:
                errors.append((PUBLIC_NAMES.get(name, name), MESSAGES["required"]))
    for name, limit in TEXT_LIMITS.items():
        if name in values and values[name] is not None:
            if not isinstance(values[name], str):
                errors.append((name, MESSAGES["text"]))
            elif len(values[name]) > limit:
                errors.append((name, MESSAGES["too_long"].format(limit=limit)))
            elif "\x00" in values[name]:  # no database keeps it (PostgreSQL refuses it outright)
                errors.append((name, MESSAGES["nul"]))
    if "name" in values and isinstance(values["name"], str) and not values["name"].strip():
        errors.append(("name", MESSAGES["name"]))
    code = values.get("code")
    if isinstance(code, str) and len(code) <= TEXT_LIMITS["code"] and not CODE_PATTERN.match(code):
        errors.append(("code", MESSAGES["code"]))
    if "capacity" in values and values["capacity"] is not None:
        capacity = values["capacity"]
        if not _is_int(capacity) or not 0 <= capacity <= MAX_CAPACITY:
            errors.append(("capacity", MESSAGES["capacity"].format(max=MAX_CAPACITY)))
    if "price_ore" in values and values["price_ore"] is not None:
        price = values["price_ore"]
        if not _is_int(price) or not 0 <= price <= MAX_PRICE_ORE:
            errors.append(("price", MESSAGES["price"]))
    if "price_unit" in values and values["price_unit"] is not None:
        if values["price_unit"] not in {unit.value for unit in PriceUnit}:
            errors.append(("price_unit", MESSAGES["price_unit"]))
    for name in ("min_weeks", "max_weeks"):
        weeks = values.get(name)
        if weeks is not None and (not _is_int(weeks) or not 1 <= weeks <= MAX_WEEKS):
            errors.append((name, MESSAGES["weeks"].format(max=MAX_WEEKS)))
    for name in ("min_age", "max_age"):
        age = values.get(name)
        if age is not None and (not _is_int(age) or not 0 <= age <= MAX_AGE):
            errors.append((name, MESSAGES["age"].format(max=MAX_AGE)))
    for name in ("valid_from", "valid_to"):
        day = values.get(name)
        if day is not None and (not isinstance(day, date) or isinstance(day, datetime)):
            errors.append((name, MESSAGES["date"]))
    if "accessible" in values and not isinstance(values["accessible"], bool):
        errors.append(("accessible", MESSAGES["accessible"]))
    email = values.get("contact_email")
    if isinstance(email, str) and email and not EMAIL_PATTERN.match(email):
        errors.append(("contact_email", MESSAGES["email"]))
    phone = values.get("contact_phone")
    if isinstance(phone, str) and phone and not PHONE_PATTERN.match(phone):
        errors.append(("contact_phone", MESSAGES["phone"]))
    activity = values.get("activity_code")
    if isinstance(activity, str) and activity and not ACTIVITY_CODE_PATTERN.match(activity):
        errors.append(("activity_code", MESSAGES["activity_code"]))
    groups = values.get("target_groups")
    if groups is not None and (not isinstance(groups, (list, tuple)) or not all(isinstance(g, str) for g in groups)):
        errors.append(("target_groups", MESSAGES["target_groups"]))
    return errors


def weeks_errors(min_weeks: int | None, max_weeks: int | None) -> list[tuple[str, str]]:
    if _is_int(min_weeks) and _is_int(max_weeks) and max_weeks < min_weeks:
        return [("max_weeks", MESSAGES["weeks_order"])]
    return []


def age_errors(min_age: int | None, max_age: int | None) -> list[tuple[str, str]]:
    if _is_int(min_age) and _is_int(max_age) and max_age < min_age:
        return [("max_age", MESSAGES["age_order"])]
    return []


def validity_errors(valid_from: date | None, valid_to: date | None) -> list[tuple[str, str]]:
    if isinstance(valid_from, date) and isinstance(valid_to, date) and valid_to < valid_from:
        return [("valid_to", MESSAGES["valid_order"])]
    return []


def range_errors(values: dict[str, Any], current: Any = None) -> list[tuple[str, str]]:
    """Order errors of weeks, ages and validity, with the given values merged over `current`."""
    def merged(name: str) -> Any:
        return values[name] if name in values else getattr(current, name, None)

    return (weeks_errors(merged("min_weeks"), merged("max_weeks")) + age_errors(merged("min_age"), merged("max_age"))
            + validity_errors(merged("valid_from"), merged("valid_to")))


def age_range_text(min_age: int | None, max_age: int | None) -> str:
    """The range in Swedish words ("18–29 år", "från 18 år", "till och med 29 år"), "" for none."""
    if min_age is not None and max_age is not None:
        return f"{min_age}–{max_age} år"
    if min_age is not None:
        return f"från {min_age} år"
    if max_age is not None:
        return f"till och med {max_age} år"
    return ""


def age_fits(min_age: int | None, max_age: int | None, age: int) -> bool:
    return (min_age is None or age >= min_age) and (max_age is None or age <= max_age)


def validate_fields(values: dict[str, Any], *, creating: bool) -> None:
    errors = field_errors(values, creating=creating)
    if errors:
        raise InvalidProgramme("Insatsen har fel i " + ", ".join(dict.fromkeys(f for f, _ in errors)) + ".",
                               errors=errors, field=errors[0][0])


def clean_text(values: dict[str, Any]) -> dict[str, Any]:
    """Strip surrounding whitespace from text fields (what the person meant, not the paste)."""
    return {key: value.strip() if isinstance(value, str) and key in TEXT_LIMITS else value for key, value in values.items()}


_PRICE_PATTERN = re.compile(r"^\d+(?:[.,]\d{1,2})?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]")


def parse_price_ore(text: str) -> int:
    """Parse an amount in kronor as Swedish Excel writes it ("4 500,00", "4500", "4500.5") to öre.

    Raises ValueError for anything that is not a non-negative amount with at most two
    decimals: prices are never rounded here (money is rounded only in billing).
    """
    compact = _SPACES.sub("", text or "")
    if "," in compact and "." in compact:  # "4.500,00": the dot groups thousands
        compact = compact.replace(".", "")
    if not _PRICE_PATTERN.match(compact):
        raise ValueError(text)
    try:
        amount = Decimal(compact.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern already excludes it
        raise ValueError(text) from error
    return int(amount * 100)


def price_ore_from_decimal(amount: Decimal) -> int:
    """Whole öre from a Decimal amount in kronor; ValueError for fractions of an öre."""
    ore = amount * 100
    if ore != ore.to_integral_value():
        raise ValueError(str(amount))
    return int(ore)
