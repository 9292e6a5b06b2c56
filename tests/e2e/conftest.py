"""Browser journeys: the real app on a local port, driven by Debian's Chromium via Playwright.

One browser per test session, a fresh browser context (cookies) per test, the app served
from a thread with werkzeug's server on a free port, on the test's own database. CSRF is on
as in production. The tests skip only when no Chromium is installed at /usr/bin/chromium.
"""

from __future__ import annotations

import logging
import shutil
import signal
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

from tests.e2e.support import AXE_SCRIPT, CHROMIUM, CHROMIUM_FLAGS, ROOT, Recorder


TEST_TIME_LIMIT_SECONDS = 240
AXE_INSTALL = ["npm", "install", "--prefix", "tests/e2e/.axe", "--no-audit", "--no-fund", "axe-core@4"]


def _install_axe() -> None:
    """Fetch axe-core from the npm registry once (CI runs the same command up front)."""
    if shutil.which("npm") is None:
        return
    subprocess.run(AXE_INSTALL, cwd=ROOT, check=False, timeout=300, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


@pytest.fixture(autouse=True)
def _time_limit():
    """A browser test that hangs fails after a few minutes instead of stalling the whole run."""

    def _expired(signum, frame):
        raise TimeoutError(f"browser test still running after {TEST_TIME_LIMIT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.alarm(TEST_TIME_LIMIT_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (install Debian's package: apt-get install chromium); browser journeys skipped")
    if not AXE_SCRIPT.exists():
        _install_axe()
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is missing at {AXE_SCRIPT}; run: {' '.join(AXE_INSTALL)}", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def app(settings):
    """The app as in production (CSRF on); overrides the suite's app for these tests."""
    from marketplace.kernel import clock
    from marketplace.app import create_app

    application = create_app(settings)
    yield application
    application.extensions["insatstorget"].engine.dispose()
    clock.freeze(None)


@pytest.fixture
def live_server(app):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def context(browser, live_server):
    ctx = browser.new_context(
        base_url=live_server, locale="sv-SE", timezone_id="Europe/Stockholm", viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, request):
    """A tab that records console errors and CSP violations; the test fails if any occurred."""
    tab = context.new_page()
    recorder = tab.recorder = Recorder(tab)
    yield tab
    if not getattr(request.node, "rep_call_failed", False):
        recorder.assert_clean()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call_failed = report.failed
