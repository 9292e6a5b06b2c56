"""Every page a role reaches from the menu, on the demo data: no accessibility violation,
no sideways scrolling on a phone, and a screenshot of each for review.

The tour also writes the README's screenshots, one per role, to docs/screenshots/<role>.png
(committed), so they show the pages as they are whenever the browser tests run."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.operations.demo import DEMO_PASSWORD, seed_demo
from tests.e2e.support import ROOT, sign_in, visit

pytestmark = pytest.mark.e2e

ROLES = {
    "staff": "handlaggare.rk@demo.stockholm.se",
    "coordinator": "samordnare.amf@demo.stockholm.se",
    "finance": "ekonom@demo.stockholm.se",
    "admin": "admin@demo.stockholm.se",
}
# The page the README shows for each role (docs/screenshots/<role>.png, 1280 × 800).
README_SHOTS = {
    "staff": "/insatser?q=cykel",
    "coordinator": "/forfragningar",
    "finance": "/fakturering",
    "admin": "/admin",
}
README_VIEWPORT = {"width": 1280, "height": 800}
SCREENSHOTS = ROOT / "docs" / "screenshots"
# One page of each kind below the menu pages: the first link of each shape is visited too.
DETAIL_SHAPES = (
    r"^/insatser/\d+$", r"^/insatser/\d+/belaggning$", r"^/placeringar/\d+$", r"^/uppfoljningar/\d+$",
    r"^/uppfoljningar/placering/\d+/narvaro$", r"^/fakturering/\d{4}-\d{2}$", r"^/fakturering/bokning/[\w-]+$",
    r"^/vara-insatser/ny$", r"^/vara-insatser/\d+/andra$", r"^/vara-insatser/importera$", r"^/admin/gallring$",
    r"^/admin/loggkontroll$", r"^/admin/granskningslogg$", r"^/admin/organisationer$",
    r"^/admin/organisationer/\w+$", r"^/fakturering/reskontra", r"^/admin/anvandare/ny$",
)


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "start"


def _same_site_paths(page) -> list[str]:
    return page.evaluate(
        "() => [...document.querySelectorAll('main a[href^=\"/\"]')].map(a => a.getAttribute('href').split('#')[0])"
    )


@pytest.fixture
def demo(app, db, frozen_clock):
    frozen_clock("2026-03-10T10:00:00")
    seed_demo(app.extensions["insatstorget"].engine, today=date(2026, 3, 10), now=datetime.fromisoformat("2026-03-10T09:00:00+00:00"))
    return {role: db.execute(select(User).where(User.email == email)).scalar_one() for role, email in ROLES.items()}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_menu_page_and_one_page_of_each_kind_is_accessible(page, db, demo, role):
    sign_in(page, demo[role], db, password=DEMO_PASSWORD)
    menu = page.get_by_role("navigation", name="Huvudmeny").get_by_role("link")
    targets = [menu.nth(i).get_attribute("href") for i in range(menu.count())]
    assert len(targets) >= 3
    visited: set[str] = set()
    shapes_seen: set[str] = set()
    for target in targets:
        visit(page, f"tour-{role}", _slug(target), target)
        visited.add(target)
        for path in _same_site_paths(page):
            shape = next((s for s in DETAIL_SHAPES if re.search(s, path.split("?")[0])), None)
            if shape and shape not in shapes_seen and path not in visited and not path.endswith((".csv", ".xlsx")):
                shapes_seen.add(shape)
                visit(page, f"tour-{role}", _slug(path), path)
                visited.add(path)
                page.goto(target)
    assert visited
    _readme_screenshot(page, role)


def _readme_screenshot(page, role: str) -> None:
    """The README's picture of this role: the chosen page at a laptop's viewport, top only."""
    page.set_viewport_size(README_VIEWPORT)
    visit(page, f"tour-{role}", "readme", README_SHOTS[role])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{role}.png"), full_page=False)
    assert (SCREENSHOTS / f"{role}.png").read_bytes().startswith(b"\x89PNG")
