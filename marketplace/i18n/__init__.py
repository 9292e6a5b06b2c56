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
from babel.support import NullTranslations
from flask import session
from flask_babel import format_date, format_datetime, format_time, get_locale
from flask_babel import gettext as _

from marketplace.i18n.msgid import Msgid, N_  # noqa: F401  (N_ is imported from here by the pages)

LOCALES = ("sv", "en")
LOCALE_NAMES = {"sv": "Svenska", "en": "English"}


def label(value):
    """The one place where text of unknown origin meets translation: a Msgid (interface text)
    is translated, anything else (user text, numbers) comes back untouched, for the template to
    escape. Never Markup, never %-formatted: a name like "Rehab 100%" or "<meta ...>" stays text."""
    if isinstance(value, Msgid):
        return str(_(value))
    return value


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
    """The visitor's choice (session), else the signed-in user's saved choice, else Swedish."""
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    from flask_login import current_user

    user = getattr(current_user, "user", None) if current_user and current_user.is_authenticated else None
    if user is not None and getattr(user, "locale", None) in LOCALES:
        session["locale"] = user.locale
        return user.locale
    return "sv"


def carry_locale_over_sign_in(user, chosen: str | None) -> None:
    """Signing in clears the session; keep the language picked on the sign-in page.

    A language chosen before signing in wins and is saved on the account; otherwise the
    account's saved choice applies (a new browser gets the user's language at once).
    """
    if chosen in LOCALES:
        session["locale"] = chosen
        if user.locale != chosen:
            from marketplace.kernel import http
            from marketplace.auth.models import User
            from marketplace.kernel.db import transaction

            db = http.request_session()
            with transaction(db):
                db.get(User, user.id).locale = chosen
    elif user.locale in LOCALES:
        session["locale"] = user.locale


def current_locale() -> str:
    return str(get_locale() or "sv")


def format_sek(amount_ore: int | None) -> str:
    """Öre as SEK in the current locale: '4 500,00 kr' in Swedish, 'SEK 4,500.00' in English."""
    if amount_ore is None:
        return ""
    from babel.numbers import format_currency

    locale = current_locale()
    # CLDR's English pattern glues the code to the digits ("SEK4,500.00"); keep a space.
    pattern = "¤\xa0#,##0.00" if locale == "en" else None
    return format_currency(Decimal(amount_ore) / 100, "SEK", format=pattern, locale=locale)


def format_day(value: date | datetime | None, style: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if style == "short":
            return format_datetime(value, "short")
        # Date as in the rest of the page, time to the minute: seconds are noise to people.
        return f"{format_date(value, style)} {format_time(value, 'short')}"
    return format_date(value, style)


def format_number(value) -> str:
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(value, locale=current_locale())


def format_percent(value) -> str:
    """A share (0.25) as '25 %' in Swedish, '25%' in English."""
    if value is None:
        return ""
    from babel.numbers import format_percent as babel_percent

    return babel_percent(value, locale=current_locale())


def template_globals() -> dict:
    from marketplace.kernel import clock

    return {"LOCALES": LOCALES, "LOCALE_NAMES": LOCALE_NAMES, "current_locale": current_locale, "now_for_print": clock.now}


def template_filters() -> dict:
    return {"sek": format_sek, "day": format_day, "number": format_number, "percent": format_percent, "label": label}


class _UntranslatedRecorder(NullTranslations):
    """The last fallback of a loaded catalogue: remembers every msgid it had to pass through."""

    def __init__(self, sink: set[str]):
        super().__init__()
        self.sink = sink

    def gettext(self, message):
        self.sink.add(message)
        return message

    def ngettext(self, singular, plural, n):
        self.sink.add(singular)
        return singular if n == 1 else plural

    def pgettext(self, context, message):
        self.sink.add(message)
        return message

    def npgettext(self, context, singular, plural, n):
        self.sink.add(singular)
        return singular if n == 1 else plural


def record_untranslated(app, locale: str = "en") -> set[str]:
    """For tests: a set that fills with every msgid rendered in `locale` without a translation.

    Catches what static extraction cannot: strings passed to _() through a variable.
    """
    from flask_babel import get_translations

    sink: set[str] = set()
    with app.test_request_context():
        session["locale"] = locale
        translations = get_translations()
        translations.add_fallback(_UntranslatedRecorder(sink))
    return sink


def translated(message: str | None) -> str | None:
    """A domain error's Swedish message in the visitor's language (extracted as a msgid)."""
    return _(message) if message else message


def gettext_lazy_csrf() -> str:
    return _("Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan och försök igen.")
