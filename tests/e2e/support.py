"""Helpers for the browser journeys: accessibility checks (axe-core), screenshots, sign-in."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--lang=sv-SE",  # date fields show ÅÅÅÅ-MM-DD, as for the city's staff
]
AXE_SCRIPT = Path(__file__).resolve().parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts" / "e2e"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


class Recorder:
    """Collects what the browser complains about: script errors, console errors, CSP refusals."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message):
        # A page answering 4xx on purpose (a form with errors) is logged too; _response
        # checks the stylesheets, scripts and images instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.problems.append(f"console error: {message.text}")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type not in ("document", "fetch", "xhr"):
            self.problems.append(f"{response.status} for {response.request.resource_type} {response.url}")

    def assert_clean(self):
        assert not self.problems, "the browser reported:\n  " + "\n  ".join(self.problems)


def _inject_axe(page) -> None:
    # Evaluated through the DevTools protocol, so the page's CSP (no inline scripts) stays on
    # and the journeys still notice any CSP violation of the pages themselves.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;true")


def axe_violations(page, *, include_all: bool = False) -> list[dict]:
    _inject_axe(page)
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))}));
        }""",
        WCAG_TAGS,
    )
    return result if include_all else [v for v in result if v["impact"] in BLOCKING]


def assert_accessible(page, name: str) -> None:
    """Fail on any serious or critical WCAG 2.1 A/AA violation axe finds on the current page."""
    violations = axe_violations(page, include_all=True)
    minor = [v for v in violations if v["impact"] not in BLOCKING]
    if minor:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        with (ARTIFACTS / "axe-minor.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"page": name, "url": page.url, "violations": minor}, ensure_ascii=False) + "\n")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    lines = []
    for violation in blocking:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['summary']}".replace("\n", " "))
    assert not blocking, f"accessibility violations on {name} ({page.url}):\n" + "\n".join(lines)


def shot(page, journey: str, step: str, *, full_page: bool = True) -> Path:
    """Save a screenshot to artifacts/e2e/<journey>/<step>.png (git-ignored)."""
    folder = ARTIFACTS / journey
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{re.sub(r'[^a-z0-9_-]+', '-', step.lower())}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def visit(page, journey: str, step: str, url: str | None = None) -> None:
    """Go to url (if given), check accessibility, save a screenshot."""
    if url is not None:
        response = page.goto(url)
        assert response is not None and response.status < 400, f"{url} answered {response and response.status}"
    assert_accessible(page, f"{journey}/{step}")
    shot(page, journey, step)


def totp_code(user, db) -> str:
    """The current one-time code of an enrolled user (the frozen clock moves on a step first,
    because a code step once used cannot be used again)."""
    import pyotp

    from marketplace.kernel import clock

    if clock.is_frozen():
        clock.freeze(clock.now() + timedelta(seconds=31))
    db.refresh(user)
    return pyotp.TOTP(user.totp_secret).at(clock.now())


def enrol_second_factor(db, user) -> None:
    """Give an admin/finance user a TOTP secret, as if they had enrolled."""
    import pyotp

    user.totp_secret = pyotp.random_base32()
    db.add(user)
    db.commit()


def sign_in(page, user, db=None, *, password: str | None = None) -> None:
    """Sign in through the pages, like a person: e-mail, password, and the one-time code if asked."""
    from tests.factories import DEFAULT_PASSWORD

    page.goto("/logga-in")
    page.get_by_label(re.compile("^(E-post|Email)")).fill(user.email)
    page.get_by_label(re.compile("^(Lösenord|Password)")).fill(password or DEFAULT_PASSWORD)
    page.get_by_role("button", name=re.compile("^(Logga in|Sign in)$")).click()
    page.wait_for_load_state()
    if "/logga-in/kod" in page.url:
        assert db is not None, "this user needs a one-time code: pass db"
        page.get_by_label(re.compile("^(Engångskod|One-time code)")).fill(totp_code(user, db))
        page.get_by_role("button", name=re.compile("^(Verifiera|Verify)$")).click()
        page.wait_for_load_state()
    assert "/logga-in" not in page.url, f"sign-in did not finish: {page.url}"


def sign_out(page) -> None:
    page.get_by_role("button", name=re.compile("^(Logga ut|Sign out)$")).click()
    page.wait_for_load_state()


def fill_request(page, *, start: str, end: str, participant_ref: str, participant_name: str) -> str:
    """Fill the open request form as staff do, send it, and return the new booking's ref."""
    from playwright.sync_api import expect

    page.get_by_label("Startdatum").fill(start)
    page.get_by_label("Slutdatum").fill(end)
    page.get_by_label("Deltagarens referens (ärendenummer)").fill(participant_ref)
    page.get_by_label("Deltagarens namn").fill(participant_name)
    page.get_by_label("Syfte").fill("Komma tillbaka till arbetslivet i lugn takt.")
    page.get_by_label("Mål", exact=True).fill("Arbeta fyra dagar i veckan efter tre månader.")
    page.get_by_label("Arbetsuppgifter").fill("Spackling, målning och enklare tapetsering.")
    page.get_by_label("FIA-bedömning är gjord").check()
    page.get_by_label("Biståndsbeslutets diarienummer").fill("SoF 2026/118")
    page.get_by_label("Beslutsdatum").fill("2026-02-26")
    page.get_by_role("button", name="Skicka förfrågan").click()
    expect(page.get_by_role("status")).to_contain_text("Förfrågan är skickad")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Placering B-2026-")
    return re.search(r"B-\d{4}-\d{6}", heading.inner_text()).group(0)


def run_start_job(app) -> int:
    """Run the nightly job that starts approved placements, at the frozen clock's time."""
    from marketplace.bookings.jobs import start_placements
    from marketplace.kernel import clock
    from marketplace.scheduler import JobContext

    ext = app.extensions["insatstorget"]
    return start_placements(JobContext(engine=ext.engine, settings=ext.settings, now=clock.now()))
