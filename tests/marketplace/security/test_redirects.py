"""Every `next` target is checked as the browser will read it: only paths on this site pass."""

from urllib.parse import quote

import pytest

from marketplace.kernel.redirects import same_origin_path
from tests.factories import DEFAULT_PASSWORD

ELSEWHERE = [
    "//evil.example", "///evil.example", "/\t/evil.example", "/%09/evil.example", "\t//evil.example",
    "/\n/evil.example", "/\r/evil.example", "/\r\n/evil.example", "\r\n//evil.example", " //evil.example",
    "/\\evil.example", "\\/evil.example", "\\\\evil.example", "/\\/evil.example", "/\t\\evil.example",
    "https://evil.example", "http://evil.example/", "HTTPS://evil.example", "https:evil.example", "//evil.example/x",
    "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>", "evil.example", "x/y", "", "\x00//evil.example", "/\x00/x",
    "\x01//evil.example", "/%2F/evil.example", "/%5Cevil.example", "%2F%2Fevil.example",
    "/%0d%0a/evil.example",
]
SAME_SITE = {"/": "/", "/sok?q=snickeri": "/sok?q=snickeri", "/placeringar/12": "/placeringar/12", "/sok?q=a%20b": "/sok?q=a%20b", "/ok\x0b": "/ok",
             "/a\tb": "/ab", "/statistik?from=2026-01-01#x": "/statistik?from=2026-01-01#x"}


@pytest.mark.parametrize("target", ELSEWHERE)
def test_targets_that_could_leave_the_site_are_refused(target):
    assert same_origin_path(target) is None


@pytest.mark.parametrize("target, path", SAME_SITE.items())
def test_paths_on_this_site_pass_as_the_browser_reads_them(target, path):
    assert same_origin_path(target) == path


def _where(response) -> str:
    assert response.status_code in (302, 303), response.status_code
    return response.headers["Location"]


def _stays_here(location: str) -> bool:
    """What a browser would do with the Location header: resolve it against this site."""
    from urllib.parse import urljoin, urlsplit

    normalised = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/").strip()
    return urlsplit(urljoin("http://localhost/logga-in", normalised)).netloc == "localhost"


@pytest.mark.parametrize("target", ELSEWHERE)
def test_sign_in_never_redirects_off_the_site(client, staff_user, target):
    response = client.post(f"/logga-in?next={quote(target, safe='')}",
                           data={"email": staff_user.email, "password": DEFAULT_PASSWORD})
    location = _where(response)
    assert _stays_here(location), location
    assert location.endswith("/")


@pytest.mark.parametrize("target", ["/\t/evil.example", "/\r\nSet-Cookie: x=1", "//evil.example", "javascript:alert(1)"])
def test_the_language_switch_never_redirects_off_the_site(client, target):
    response = client.post("/sprak/en", data={"next": target})
    location = _where(response)
    assert _stays_here(location) and "evil" not in location
    assert all("x=1" not in cookie for cookie in response.headers.getlist("Set-Cookie"))


def test_a_path_on_this_site_is_kept(client, staff_user):
    response = client.post("/logga-in?next=/statistik%3Ffrom%3D2026-01-01",
                           data={"email": staff_user.email, "password": DEFAULT_PASSWORD})
    assert _where(response).endswith("/statistik?from=2026-01-01")
