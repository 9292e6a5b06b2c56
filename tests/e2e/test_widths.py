"""Every page of every role fits a phone, a tablet and a laptop, and stays accessible.

The pages are found, not listed: the main menu and the header's links of each role, then the
first link of each shape (digits counted as one shape) on those pages, two levels deep, on
the demo data. Each role signs in once; one browser context per width reuses that sign-in.
At 360, 390, 768 and 1280 px every page must fit the layout viewport (tests/e2e/fit.py) and
axe-core must find no serious or critical violation.
"""

from __future__ import annotations

import re
import signal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from marketplace.auth.models import Role, User
from marketplace.operations.demo import DEMO_PASSWORD
from tests.e2e.fit import fit_problems
from tests.e2e.support import Recorder, assert_accessible, shot, sign_in
from tests.e2e.test_tour import demo  # noqa: F401  (the demo data, seeded at a frozen date)

pytestmark = pytest.mark.e2e

WIDTHS = (360, 390, 768, 1280)
PHONE_OR_TABLET = 1000  # below this the context emulates a touch device with a device viewport
MAX_PAGES = 45
# Links that are not pages to look at: leaving, switching language, files.
NOT_PAGES = re.compile(r"^/(logga-ut|sprak/|static/|api/)|\.(csv|xlsx|sie|si|ics|pdf|zip|json|txt)$|/(csv|xlsx|sie|ics|pdf)$")
TIME_LIMIT_SECONDS = 600


@pytest.fixture(autouse=True)
def _time_limit():
    """Four widths of every page of a role take longer than one journey; still bounded."""

    def _expired(signum, frame):
        raise TimeoutError(f"the width check still running after {TIME_LIMIT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(TIME_LIMIT_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


class _Links(HTMLParser):
    """Same-site links of a page, outside its footer."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []
        self._footer = 0

    def handle_starttag(self, tag, attrs):
        if tag == "footer":
            self._footer += 1
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//") and not self._footer and "download" not in dict(attrs):
            self.hrefs.append(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag == "footer":
            self._footer -= 1


def _shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(part.split("=")[0] for part in parts.query.split("&") if part)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def discover_pages(context, start: str = "/", depth: int = 2) -> list[str]:
    """The HTML pages a signed-in person reaches by links from the start page: every link of
    the start page (menu, header, main) and one page of each shape below it."""
    pages: list[str] = []
    shapes: set[str] = set()
    level = [start]
    for _ in range(depth + 1):
        following: list[str] = []
        for url in level:
            if _shape(url) in shapes or NOT_PAGES.search(urlsplit(url).path) or len(pages) >= MAX_PAGES:
                continue
            shapes.add(_shape(url))
            response = context.request.get(url, max_redirects=0)
            if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
                continue
            pages.append(url)
            parser = _Links()
            parser.feed(response.text())
            following.extend(href for href in parser.hrefs if _shape(href) not in shapes)
        level = list(dict.fromkeys(following))
    return pages


def _user_with_role(db, role: str) -> User:
    """A demo user holding the role (the one with fewest other roles), or, for a role the demo
    has no user for yet, a new one at a district with the demo password."""
    rows = db.execute(select(User.id, User.roles).where(User.email.like("%@demo.stockholm.se")).order_by(User.email)).all()
    holders = [(len(roles.split()), user_id) for user_id, roles in rows if role in roles.split()]
    if holders:
        return db.get(User, min(holders)[1])
    from tests.factories import make_user

    user = make_user(db, organisation="RK", roles=[role], email=f"{role}.rk@demo.stockholm.se", name="Robin Rolle",
                     password=DEMO_PASSWORD)
    if role in ("admin", "finance"):
        from tests.e2e.support import enrol_second_factor

        enrol_second_factor(db, user)
    return user


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_page_fits_every_width_and_is_accessible(browser, live_server, db, demo, role):  # noqa: F811
    user = _user_with_role(db, role)
    signing_in = browser.new_context(base_url=live_server, locale="sv-SE", timezone_id="Europe/Stockholm",
                                     viewport={"width": 1280, "height": 900})
    try:
        tab = signing_in.new_page()
        sign_in(tab, user, db, password=DEMO_PASSWORD)
        state = signing_in.storage_state()
        pages = discover_pages(signing_in)
    finally:
        signing_in.close()
    kinds = {_shape(url) for url in pages}
    assert "/" in kinds and len(pages) >= 4, pages
    failures: list[str] = []
    for width in WIDTHS:
        mobile = width < PHONE_OR_TABLET
        context = browser.new_context(
            base_url=live_server, locale="sv-SE", timezone_id="Europe/Stockholm", storage_state=state,
            viewport={"width": width, "height": 800}, is_mobile=mobile, has_touch=mobile, device_scale_factor=2 if mobile else 1,
        )
        context.set_default_timeout(15_000)
        try:
            tab = context.new_page()
            recorder = Recorder(tab)
            for url in pages:
                response = tab.goto(url)
                assert response is not None and response.status == 200, f"{url} answered {response and response.status}"
                assert "/logga-in" not in tab.url, f"signed out at {url}"
                failures.extend(f"{width} px {url}: {problem}" for problem in fit_problems(tab))
                assert_accessible(tab, f"widths-{role}-{width}{url}")
                if width == WIDTHS[0]:
                    shot(tab, f"widths-{role}", f"{width}{url}")
            recorder.assert_clean()
        finally:
            context.close()
    assert not failures, f"{role}: {len(failures)} thing(s) do not fit:\n  " + "\n  ".join(failures)
