"""Bulk import of programmes from a CSV in Excel's Swedish dialect. All rows or none.

The file: `;`-separated, UTF-8 (with or without BOM; Windows-1252 accepted when the bytes
are not UTF-8), a header row naming the columns (English names or the Swedish aliases
below, any order), decimal comma in prices ("4 500,00"), target groups as codes
separated by comma or |. Every row is checked with the same rules as the forms; errors
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

from catalog import programmes, rules
from catalog.errors import ImportRejected
from catalog.models import Organisation, Programme

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
    unreadable = {(error.row, error.column) for error in errors}  # a cell that could not be read is not also "missing"
    for row, values in rows:
        if default_organisation_id is not None:
            values.setdefault("organisation_id", default_organisation_id)
        if allowed_organisation_ids is not None and values.get("organisation_id") not in allowed_organisation_ids:
            errors.append(RowError(row, titles.get("organisation", "organisation"),
                                   "Du får bara importera insatser för din egen organisation."))
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
    return [programmes.create_programme(session, values, actor_id=actor_id, now=now) for _, values in rows]


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
        "Mån–fre 8.00–15.00", "8", "4 500,00", "månad", "5700", "4", "26", "ja", "Arabiska, somaliska",
        "Per Ekström", "per.ekstrom@stockholm.se", "08-508 000 00", "18", "29", "Klarar att stå större delen av dagen.",
        "2026-01-01", "2027-12-31", "ESF-projekt", "publicerad",
    ])
    return ("\ufeff" + header + "\r\n" + example + "\r\n").encode("utf-8")
