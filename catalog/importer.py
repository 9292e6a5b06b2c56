"""Bulk import of programmes from a CSV in Excel's Swedish dialect. All rows or none.

The file: `;`-separated, UTF-8 (with or without BOM; Windows-1252 accepted when the bytes
are not UTF-8), a header row naming the columns (English names or the Swedish aliases
below, any order), decimal comma in prices ("4 500,00"), target groups as codes
separated by comma or |, reserved places as entries separated by comma or | (`young_adults:2`
for a target group, `org:RK:1` for a buying organisation). Every row is checked with the same rules as the forms; errors
are (row as Excel shows it, column as in the header, Swedish message). Nothing is
written unless every row is valid. Pure except import_programmes (session, no commit).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog import programmes, reservations, rules
from catalog.errors import ImportRejected, InvalidProgramme
from catalog.models import Organisation, Programme, TargetGroup

MAX_ROWS = 5000

# column → Swedish aliases accepted in the header (case-insensitive)
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("kod",),
    "name": ("namn",),
    "organisation": ("organisation", "organisationskod"),
    "category": ("kategori",),
    "target_groups": ("målgrupper", "malgrupper"),
    "description": ("beskrivning",),
    "eligibility": ("villkor",),
    "location": ("plats", "adress"),
    "schedule": ("tider", "schema"),
    "capacity": ("platser", "antal_platser"),
    "reserved": ("reserverade_platser", "reserverat"),
    "price": ("pris",),
    "price_unit": ("prisenhet", "enhet"),
    "activity_code": ("verksamhetskod",),
    "min_weeks": ("min_veckor",),
    "max_weeks": ("max_veckor",),
    "accessible": ("tillgänglig", "tillganglig"),
    "language_support": ("språkstöd", "sprakstod"),
    "contact_name": ("kontaktperson",),
    "contact_email": ("e_post", "epost", "kontakt_e_post"),
    "contact_phone": ("telefon", "kontakt_telefon"),
    "min_age": ("min_ålder", "min_alder"),
    "max_age": ("max_ålder", "max_alder"),
    "requirements": ("krav",),
    "valid_from": ("giltig_från", "giltig_fran"),
    "valid_to": ("giltig_till",),
    "funding": ("finansiering",),
    "status": (),
}
REQUIRED_COLUMNS = ("code", "name", "category", "capacity", "price", "price_unit")
UNITS = {"month": "month", "månad": "month", "manad": "month", "per månad": "month", "day": "day", "dag": "day",
         "per dag": "day", "placement": "placement", "placering": "placement", "per placering": "placement"}
YES = {"ja", "j", "yes", "y", "true", "1", "x", "sant"}
NO = {"nej", "n", "no", "false", "0", "", "falskt"}
STATUSES = {"": "published", "published": "published", "publicerad": "published", "draft": "draft", "utkast": "draft"}
# One reservation in the reserved column: [org:]CODE:PLACES, spaces allowed around the colons.
RESERVED_ENTRY = re.compile(r"(?:(org)\s*:\s*)?([A-Za-z0-9][A-Za-z0-9_.-]*)\s*:\s*(-?[0-9]+)", re.IGNORECASE)
MAX_RESERVED_CELL = 1000
# Field names in rule errors → the column to name in the report.
FIELD_COLUMN = {"organisation_id": "organisation", "category_code": "category", "price_ore": "price"}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


def decode(data: bytes) -> str:
    """Text of the file: UTF-8 (BOM stripped), else Windows-1252 as older Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header_map(header: list[str]) -> tuple[dict[int, str], list[RowError]]:
    aliases = {name: name for name in COLUMNS}
    for name, extra in COLUMNS.items():
        for alias in extra:
            aliases[alias] = name
    mapping: dict[int, str] = {}
    errors: list[RowError] = []
    for index, title in enumerate(header):
        key = re.sub(r"\s+", "_", title.strip().lower())
        if not key:
            continue
        name = aliases.get(key)
        if name is None:
            errors.append(RowError(1, title, "Okänd kolumn."))
        elif name in mapping.values():
            errors.append(RowError(1, title, "Kolumnen finns två gånger."))
        else:
            mapping[index] = name
    for name in REQUIRED_COLUMNS:
        if name not in mapping.values():
            errors.append(RowError(1, name, "Kolumnen saknas."))
    return mapping, errors


def _int(text: str) -> int | None:
    compact = re.sub(r"[\s\u00a0]", "", text)
    if not compact:
        return None
    if not re.fullmatch(r"-?\d+", compact):
        raise ValueError(text)
    return int(compact)


def _shown(text: str, limit: int = 40) -> str:
    """A cell's text inside a message: printable characters only, cut to `limit`."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in text)
    return clean if len(clean) <= limit else clean[:limit] + "…"


def reserved_items(text: str) -> tuple[list[dict], list[str]]:
    """The reserved column's cell as the API's list ([{"target_group": CODE, "places": N}] or
    [{"organisation": CODE, "places": N}]) and the messages for what cannot be read. Codes and
    numbers are checked against the catalogue later, by reservations.parse, as for the API."""
    if len(text) > MAX_RESERVED_CELL:
        return [], [f"Högst {MAX_RESERVED_CELL} tecken."]
    entries = [part.strip() for part in re.split(r"[,|]", text) if part.strip()]
    if len(entries) > reservations.MAX_RESERVATIONS:
        return [], [f"Högst {reservations.MAX_RESERVATIONS} reservationer."]
    items, errors = [], []
    for entry in entries:
        match = RESERVED_ENTRY.fullmatch(entry)
        if match is None:
            errors.append(f"«{_shown(entry)}» kan inte läsas: skriv målgruppens kod och antal platser, eller org: "
                          "och organisationens kod och antal platser, till exempel young_adults:2, org:RK:1.")
            continue
        digits = match.group(3)
        # More digits than any capacity: refused by the catalogue's range check, without a huge int.
        places = int(digits) if len(digits.lstrip("-")) <= 9 else rules.MAX_CAPACITY + 1
        items.append({"organisation" if match.group(1) else "target_group": match.group(2), "places": places})
    return items, errors


def _row_values(cells: dict[str, str], titles: dict[str, str], row: int,
                organisations: dict[str, int]) -> tuple[dict[str, Any], list[RowError]]:
    """Typed values for one row, or the errors of the cells that cannot be read."""
    errors: list[RowError] = []
    values: dict[str, Any] = {}

    def fail(column: str, message: str) -> None:
        errors.append(RowError(row, titles.get(column, column), message))

    for name in ("code", "name", "description", "eligibility", "location", "schedule", "language_support",
                 "contact_name", "contact_email", "contact_phone", "requirements", "funding", "activity_code"):
        if name in cells:
            values[name] = cells[name]
    values["category_code"] = cells.get("category", "").strip() or None
    groups = [part.strip() for part in re.split(r"[,|]", cells.get("target_groups", "")) if part.strip()]
    values["target_groups"] = groups
    if cells.get("reserved", "").strip():
        items, problems = reserved_items(cells["reserved"])
        for message in problems:
            fail("reserved", message)
        if not problems:
            values["reserved"] = items
    org_code = cells.get("organisation", "").strip().upper()
    if org_code:
        if org_code in organisations:
            values["organisation_id"] = organisations[org_code]
        else:
            fail("organisation", f"Organisationen {org_code} finns inte.")
    for name in ("capacity", "min_weeks", "max_weeks", "min_age", "max_age"):
        try:
            values[name] = _int(cells.get(name, ""))
        except ValueError:
            fail(name, "Ange ett heltal.")
    for name in ("valid_from", "valid_to"):
        text = cells.get(name, "").strip()
        if text:
            try:
                values[name] = date.fromisoformat(text)
            except ValueError:
                fail(name, "Ange datum som ÅÅÅÅ-MM-DD.")
    price = cells.get("price", "")
    if price.strip():
        try:
            values["price_ore"] = rules.parse_price_ore(price)
        except ValueError:
            fail("price", "Priset måste vara ett belopp i kronor, till exempel 4 500,00.")
    unit = cells.get("price_unit", "").strip().lower()
    if unit:
        if unit in UNITS:
            values["price_unit"] = UNITS[unit]
        else:
            fail("price_unit", "Prisenheten måste vara månad, dag eller placering.")
    accessible = cells.get("accessible", "").strip().lower()
    if accessible in YES:
        values["accessible"] = True
    elif accessible in NO:
        values["accessible"] = False
    else:
        fail("accessible", "Ange ja eller nej.")
    status = cells.get("status", "").strip().lower()
    if status in STATUSES:
        values["status"] = STATUSES[status]
    else:
        fail("status", "Status måste vara publicerad eller utkast.")
    return values, errors


def read_rows(data: bytes, organisations: dict[str, int]) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Parse the file into (Excel row, values) pairs and the errors found without the database."""
    text = decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        return [], [RowError(1, "-", "Filen är tom. Första raden ska vara kolumnnamnen.")]
    if len(header) == 1 and "," in header[0]:
        return [], [RowError(1, "-", "Filen ska vara semikolonseparerad (spara som CSV i svenska Excel).")]
    mapping, errors = _header_map(header)
    if errors:
        return [], errors
    titles = {name: header[index].strip() for index, name in mapping.items()}
    rows: list[tuple[int, dict[str, Any]]] = []
    for row_number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) >= MAX_ROWS:
            errors.append(RowError(row_number, "-", f"Högst {MAX_ROWS} rader per fil."))
            break
        if len(record) > len(header):
            errors.append(RowError(row_number, "-", "Raden har fler celler än rubrikraden."))
            continue
        cells = {name: record[index] if index < len(record) else "" for index, name in mapping.items()}
        values, row_errors = _row_values(cells, titles, row_number, organisations)
        errors += row_errors
        rows.append((row_number, values))
    if not rows and not errors:
        errors.append(RowError(2, "-", "Filen har inga rader med insatser."))
    return rows, errors


def import_programmes(session: Session, data: bytes, *, default_organisation_id: int | None,
                      allowed_organisation_ids: set[int] | None, actor_id: int | None, now: datetime) -> list[Programme]:
    """Validate every row, then create them all; raise ImportRejected (nothing written) on any error.

    allowed_organisation_ids: the organisations the importer keeps (None = any, for admin).
    Rows without an organisation belong to default_organisation_id (None: they must name one).
    """
    organisations = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    rows, errors = read_rows(data, organisations)
    titles = _titles(data)
    seen_codes: dict[str, int] = {}
    reserved_by_row: dict[int, list[dict]] = {}
    unreadable = {(error.row, error.column) for error in errors}  # a cell that could not be read is not also "missing"
    for row, values in rows:
        if default_organisation_id is not None:
            values.setdefault("organisation_id", default_organisation_id)
        if allowed_organisation_ids is not None and values.get("organisation_id") not in allowed_organisation_ids:
            errors.append(RowError(row, titles.get("organisation", "organisation"),
                                   "Du får bara importera insatser för din egen organisation."))
        reserved = values.pop("reserved", None)
        if reserved:
            errors += _reserved_errors(session, reserved, values.get("capacity"), row, titles.get("reserved", "reserved"),
                                       organisations)
            reserved_by_row[row] = reserved
        checked = rules.clean_text({k: v for k, v in values.items() if k != "status"})
        problems = rules.field_errors(checked, creating=True) + rules.range_errors(values)
        problems += programmes.reference_errors(session, checked)
        for field, message in problems:
            column = titles.get(FIELD_COLUMN.get(field, field), FIELD_COLUMN.get(field, field))
            if (row, column) not in unreadable:
                errors.append(RowError(row, column, message))
        code = values.get("code")
        if isinstance(code, str) and code.strip():
            code = code.strip()
            if code in seen_codes:
                errors.append(RowError(row, titles.get("code", "code"), f"Koden {code} finns också på rad {seen_codes[code]}."))
            elif programmes.code_taken(session, code):
                errors.append(RowError(row, titles.get("code", "code"), f"Koden {code} används redan av en annan insats."))
            seen_codes.setdefault(code, row)
    if errors:
        errors = sorted(dict.fromkeys(errors), key=lambda e: (e.row, e.column))
        raise ImportRejected(f"Inget importerades: {len(errors)} fel i filen.", [(e.row, e.column, e.message) for e in errors])
    created = []
    for row, values in rows:
        programme = programmes.create_programme(session, values, actor_id=actor_id, now=now)
        if row in reserved_by_row:
            reservations.replace(session, programme, reserved_by_row[row], actor_id=actor_id, now=now)
        created.append(programme)
    return created


def _reserved_errors(session: Session, items: list[dict], capacity: Any, row: int, column: str,
                     organisations: dict[str, int]) -> list[RowError]:
    """The API's checks of reserved places (reservations.parse) for one row, as the report's errors.
    Against an unreadable capacity only the codes and numbers are checked (the capacity has its own error)."""
    usable = isinstance(capacity, int) and 0 <= capacity <= rules.MAX_CAPACITY
    errors = []
    for number, item in enumerate(items, start=1):
        code = item.get("target_group", "")
        if code.upper() in organisations and session.get(TargetGroup, code) is None:
            errors.append(RowError(row, column, f"Reservation {number}: {code} är en organisation; skriv org:{code.upper()}:"
                                                f"{item['places']}."))
    if errors:
        return errors
    try:
        reservations.parse(session, items, capacity if usable else rules.MAX_CAPACITY, label="Reservation")
    except InvalidProgramme as error:
        return [RowError(row, column, message) for _field, message in error.errors]
    return []


def _titles(data: bytes) -> dict[str, str]:
    """Column → the header text the person wrote, so errors name their own column titles."""
    header = next(csv.reader(io.StringIO(decode(data), newline=""), delimiter=";"), [])
    mapping, _ = _header_map(header)
    return {name: header[index].strip() for index, name in mapping.items()}


def template_csv() -> bytes:
    """An empty import file with the header row and one example row, as Excel wants it (BOM, ;)."""
    header = ";".join(COLUMNS)
    example = ";".join([
        "AMF-SNICK-01", "Snickeriet Västberga", "AMF", "carpentry", "long_term_unemployed|young_adults",
        "Arbetsträning i snickeri: enklare möbler och reparationer.", "Från 18 år.", "Västberga allé 5",
        "Mån–fre 8.00–15.00", "8", "young_adults:2", "4 500,00", "månad", "5700", "4", "26", "ja", "Arabiska, somaliska",
        "Per Ekström", "per.ekstrom@stockholm.se", "08-508 000 00", "18", "29", "Klarar att stå större delen av dagen.",
        "2026-01-01", "2027-12-31", "ESF-projekt", "publicerad",
    ])
    return ("\ufeff" + header + "\r\n" + example + "\r\n").encode("utf-8")
