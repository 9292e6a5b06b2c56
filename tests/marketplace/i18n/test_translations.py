"""Swedish by default, English complete and remembered, formats in the chosen locale."""

from __future__ import annotations

import re
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from babel.messages.catalog import Catalog
from flask_babel import force_locale

from marketplace import i18n
from marketplace.i18n.catalogue import extract_catalogue, missing, po_path, read_catalogue
from tests.factories import DEFAULT_PASSWORD, make_user


def _english() -> Catalog:
    return read_catalogue(po_path("en"), "en")


def test_every_interface_string_in_the_source_has_an_english_translation():
    source = extract_catalogue()
    english = _english()
    untranslated = []
    for message in source:
        if not message.id:
            continue
        translated = english.get(message.id, context=message.context)
        if translated is None or translated.fuzzy or not translated.string or (
            isinstance(translated.string, tuple) and not all(translated.string)
        ):
            where = ", ".join(sorted({path for path, _ in message.locations}))
            untranslated.append(f"{message.id!r} ({where})")
    assert not untranslated, (
        f"{len(untranslated)} msgid(s) without an English translation; run "
        "`python -m marketplace.i18n.catalogue update` and translate them in "
        "translations/en/LC_MESSAGES/messages.po:\n  " + "\n  ".join(untranslated)
    )


def test_the_english_catalogue_has_no_fuzzy_or_empty_entries():
    assert missing(_english()) == []


def test_translations_keep_every_placeholder_of_their_msgid():
    english = _english()
    broken = []
    for message in english:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)s|%\(\w+\)d|\{\w*\}", ids[0]))
        for string in strings:
            if set(re.findall(r"%\(\w+\)s|%\(\w+\)d|\{\w*\}", string or "")) != wanted:
                broken.append(f"{ids[0]!r} -> {string!r}")
        broken.extend(f"{message.id!r}: {error}" for error in message.check(english))
    assert not broken, "\n".join(broken)


def test_pages_are_swedish_by_default(client):
    page = client.get("/logga-in").get_data(as_text=True)
    assert '<html lang="sv">' in page
    assert "Logga in" in page


def test_choosing_english_is_remembered_across_pages_and_sign_ins(app, client, db):
    user = make_user(db, organisation="RK", roles=["staff"], email="lang@test.se")
    response = client.post("/sprak/en", data={"next": "/logga-in"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/logga-in")
    page = client.get("/logga-in").get_data(as_text=True)
    assert '<html lang="en">' in page and "Sign in" in page and "Logga in" not in page

    client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    home = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in home and "Sign out" in home
    client.post("/sprak/sv", data={"next": "/"})
    client.post("/sprak/en", data={"next": "/"})  # signed in: the choice is saved on the account

    other_browser = app.test_client()
    other_browser.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert '<html lang="en">' in other_browser.get("/").get_data(as_text=True)


def test_an_unknown_language_code_is_refused_and_changes_nothing(client):
    assert client.post("/sprak/de", data={"next": "/"}).status_code == 404
    assert '<html lang="sv">' in client.get("/logga-in").get_data(as_text=True)


def test_money_dates_and_numbers_follow_the_chosen_locale(app):
    with app.test_request_context():
        with force_locale("sv"):
            assert i18n.format_sek(450000) == "4\xa0500,00\xa0kr"
            assert i18n.format_day(date(2026, 3, 5)) == "5 mars 2026"
            assert i18n.format_number(1234.5) == "1\xa0234,5"
            assert i18n.format_percent(0.25) == "25\xa0%"
        with force_locale("en"):
            assert i18n.format_sek(450000) == "SEK\xa04,500.00"
            assert i18n.format_day(date(2026, 3, 5)) == "Mar 5, 2026"
            assert i18n.format_number(1234.5) == "1,234.5"
            assert i18n.format_percent(0.25) == "25%"
        assert i18n.format_sek(None) == "" and i18n.format_day(None) == ""


def test_timestamps_are_shown_in_stockholm_time(app):
    from datetime import timezone

    with app.test_request_context(), force_locale("sv"):
        shown = i18n.format_day(datetime(2026, 7, 1, 10, 0, tzinfo=timezone.utc))
    assert "12:00" in shown


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _source_literals() -> set[str]:
    """Every string literal of the interface code (not demo data): what could be a msgid.

    Pages also pass data (programme names, months) through _(); those are not interface
    strings, so only recorded strings that appear as literals in the code count as missing.
    """
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    literals: set[str] = set()
    for package in ("catalog", "marketplace", "billing"):
        for path in (root / package).rglob("*.py"):
            if path.name == "demo.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    literals.add(node.value)
    quoted = re.compile(r"""["']([^"'{}]+)["']""")
    for path in (root / "templates").rglob("*.html"):
        literals.update(quoted.findall(path.read_text(encoding="utf-8")))
    return literals


def _crawl(client, start: str = "/", limit: int = 150) -> list[str]:
    """Follow same-site links (GET only) from the start page; returns the pages seen."""
    seen, queue = [], [start]
    visited_shapes: set[str] = set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        path = urlsplit(url).path
        shape = re.sub(r"\d+", "N", path)
        if shape in visited_shapes or path.startswith(("/api/", "/static/")):
            continue
        visited_shapes.add(shape)
        response = client.get(url)
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        seen.append(url)
        if "text/html" not in response.content_type:
            continue
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.hrefs:
            absolute = urljoin(url, href)
            parts = urlsplit(absolute)
            if parts.netloc in ("", "localhost") and not parts.path.startswith(("/api/", "/static/")):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def test_every_page_reachable_by_link_renders_without_an_untranslated_string(app, client, db, frozen_clock):
    """Sign in with every role on the demo data, switch to English and follow every link."""
    from marketplace.operations.demo import seed_demo

    frozen_clock("2026-03-10T10:00:00")
    seed_demo(app.extensions["insatstorget"].engine, today=date(2026, 3, 10), now=datetime.fromisoformat("2026-03-10T09:00:00+00:00"))
    import pyotp

    from marketplace.kernel import clock

    user = make_user(db, organisation="RK", roles=["staff", "coordinator", "finance", "admin"], email="all.roles@test.se")
    user.totp_secret = pyotp.random_base32()  # admin and finance sign in with a one-time code
    db.commit()
    untranslated = i18n.record_untranslated(app, "en")
    client.post("/sprak/en", data={"next": "/"})
    client.post("/logga-in", data={"email": "all.roles@test.se", "password": DEFAULT_PASSWORD})
    verified = client.post("/logga-in/kod", data={"code": pyotp.TOTP(user.totp_secret).at(clock.now())})
    assert verified.status_code == 302 and "/logga-in" not in verified.headers["Location"]
    pages = _crawl(client)
    kinds = {re.sub(r"\d+", "N", urlsplit(page).path) for page in pages}
    # The crawl really went through the service: catalogue, placements, billing, statistics, admin.
    assert {"/insatser", "/insatser/N", "/placeringar", "/placeringar/N", "/fakturering", "/statistik", "/admin"} <= kinds, kinds
    missing = untranslated & _source_literals()
    assert not missing, "rendered in English without a translation:\n  " + "\n  ".join(sorted(missing))
