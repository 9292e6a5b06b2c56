"""Swedish throughout: every page each role reaches by link, in Swedish, shows none of the
project's own identifiers (model field names, enum values, route and blueprint names) as
text, and shows dates in the language's format rather than as ISO dates.

Codes a person types into a file or a form are shown as codes: inside <code>, or listed in
ALLOWED below with the reason."""

from __future__ import annotations

import enum
import importlib
import pkgutil
import re
from datetime import date, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pyotp
import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from marketplace.auth.models import Role, User
from marketplace.kernel import clock
from marketplace.operations.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo
from tests.marketplace.i18n.test_translations import _crawl

# Identifiers that are also ordinary Swedish words, or the service's own names for things, and
# so may be shown: each with why.
ALLOWED = {
    "status": "Swedish word (status)",
    "organisation": "Swedish word (organisation)",
    "period": "Swedish word (period)",
    "admin": "the administration's part of the site is called admin in Swedish too",
    "start": "Swedish word (start)",
    "program": "Swedish word (program)",
    "kontakt": "Swedish word",
    "plats": "Swedish word",
    "konto": "Swedish word",
    "export": "Swedish word (export)",
    "import": "Swedish word (import)",
    "detalj": "Swedish word",
    "index": "Swedish word (index)",
    "manual": "Swedish word (manuell is the adjective, manual appears in names)",
    "total": "Swedish word (total)",
    "administration": "Swedish word (administration)",
    "jobbtorg": "Jobbtorg Stockholm, the city's job centre, by name",
}
ALLOWED = {word for word, reason in ALLOWED.items() if reason}
IGNORED_ELEMENTS = {"script", "style", "code", "pre", "kbd", "samp"}
ISO_DATE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d-])")
WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _project_modules():
    for package in ("catalog", "marketplace", "billing"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            # Entry points run at import: the WSGI module builds an app with the environment's
            # settings, which would replace the test app's field key for the whole process.
            if info.name.endswith((".__main__", ".cli", ".wsgi")):
                continue
            try:
                yield importlib.import_module(info.name)
            except Exception:  # noqa: BLE001  (a module that needs what a test has not set up is skipped)
                continue


def project_identifiers(app) -> set[str]:
    """Model field names, enum values, blueprint and endpoint names: the words the code uses."""
    names: set[str] = set()
    for table in SQLModel.metadata.tables.values():
        names.add(table.name)
        names.update(column.name for column in table.columns)
    for module in _project_modules():
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                names.update(str(member.value) for member in value if isinstance(member.value, str))
    for endpoint in app.view_functions:
        names.update(endpoint.split("."))
    words = set()
    for name in names:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name or ""):
            continue
        # snake_case names are unmistakably code; single words only when long enough to mean something
        if "_" in name or len(name) >= 5:
            words.add(name)
    return words - ALLOWED


class _VisibleText(HTMLParser):
    """The text a person reads on a page (and the labels a screen reader speaks), minus code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in IGNORED_ELEMENTS:
            self._skip += 1
        attributes = dict(attrs)
        for name in ("aria-label", "title", "placeholder", "alt"):
            if attributes.get(name):
                self.parts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in IGNORED_ELEMENTS and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(parser.parts)


def _sign_in(client, email: str) -> None:
    """Sign in with the demo password, and the demo's one-time code when the account asks for one."""
    client.post("/logga-in", data={"email": email, "password": DEMO_PASSWORD})
    if "/logga-in/kod" in client.get("/").headers.get("Location", ""):
        client.post("/logga-in/kod", data={"code": pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now())})
    start = client.get("/")
    assert start.status_code == 200, (email, start.status_code, start.headers.get("Location"))


def _email_for(db, role: str) -> str:
    """A demo user holding the role (the one with fewest other roles), or a new one for a role
    the demo has no user for yet."""
    rows = db.execute(select(User.email, User.roles).where(User.email.like("%@demo.stockholm.se")).order_by(User.email)).all()
    holders = sorted((len(roles.split()), email) for email, roles in rows if role in roles.split())
    if holders:
        return holders[0][1]
    from tests.factories import make_user

    return make_user(db, organisation="RK", roles=[role], email=f"{role}.rk@demo.stockholm.se", password=DEMO_PASSWORD).email


@pytest.fixture
def demo(app, db, frozen_clock):
    frozen_clock("2026-03-10T10:00:00")
    seed_demo(app.extensions["insatstorget"].engine, today=date(2026, 3, 10), now=datetime.fromisoformat("2026-03-10T09:00:00+00:00"))


def test_the_identifier_list_holds_the_names_that_must_never_show():
    from marketplace.app import create_app  # noqa: F401  (only to be sure the models are imported)

    class _App:
        view_functions = {"programmes.import_csv": None}

    words = project_identifiers(_App())
    assert {"price_ore", "category_code", "organisation_id", "import_csv", "published", "placement"} <= words
    assert not words & {"status", "organisation", "period"}


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_page_in_swedish_shows_no_identifier_and_no_iso_date(app, client, db, demo, role):
    identifiers = project_identifiers(app)
    _sign_in(client, _email_for(db, role))
    pages = _crawl(client, limit=120)
    assert len(pages) >= 3, pages
    found: list[str] = []
    for url in pages:
        if not url.startswith("/"):
            continue  # a tel: or mailto: link the crawl took for a relative path
        response = client.get(url)
        if "text/html" not in response.content_type:
            continue
        html = response.get_data(as_text=True)
        assert '<html lang="sv">' in html, url
        text = visible_text(html)
        words = sorted({w for w in WORD.findall(text) if w.lower() in identifiers or w in identifiers})
        if words:
            found.append(f"{urlsplit(url).path}: {', '.join(words)}")
        compact = re.sub(r"\s+", " ", text)
        dates = [compact[max(0, m.start() - 40):m.end()] for m in ISO_DATE.finditer(compact)]
        if dates:
            found.append(f"{urlsplit(url).path}: ISO date(s) in " + " | ".join(f"…{d}" for d in dates[:5]))
    assert not found, f"{role} sees code names or ISO dates:\n  " + "\n  ".join(found)
