"""Languages and formats: Swedish by default, English selectable and remembered.

Interface strings are written in Swedish in the code (msgid) and translated to English in
translations/en. Money, dates and numbers are formatted by Babel in the chosen locale.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import gettext as _

LOCALES = ("sv", "en")
LOCALE_NAMES = {"sv": "Svenska", "en": "English"}


def compile_catalogues(directory: Path) -> None:
    """Compile .po to .mo when the .mo is missing or older, so a fresh clone needs no build step."""
    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalogue = read_po(handle)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as handle:
            write_mo(handle, catalogue)
        tmp.replace(mo_path)


def select_locale() -> str:
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    return "sv"


def current_locale() -> str:
    return str(get_locale() or "sv")


def format_sek(amount_ore: int | None) -> str:
    """Öre as SEK in the current locale: '4 500,00 kr' in Swedish, 'SEK 4,500.00' in English."""
    if amount_ore is None:
        return ""
    from babel.numbers import format_currency

    return format_currency(Decimal(amount_ore) / 100, "SEK", locale=current_locale())


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "short" if style == "short" else "medium")
    return format_date(value, style)


def format_number(value) -> str:
    return format_decimal(value, locale=current_locale())


def template_globals() -> dict:
    return {"LOCALES": LOCALES, "LOCALE_NAMES": LOCALE_NAMES, "current_locale": current_locale}


def template_filters() -> dict:
    return {"sek": format_sek, "day": format_day, "number": format_number}


def gettext_lazy_csrf() -> str:
    return _("Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan och försök igen.")
