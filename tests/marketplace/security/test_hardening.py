"""Hardening: CSP without inline code, cookie flags, HTTPS-only production settings, and logs
that never carry secrets or participant data."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pyotp
import pytest

from marketplace.app import CONTENT_SECURITY_POLICY
from marketplace.kernel.config import Settings
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET, enrol_totp, make_programme, make_user

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"(href|src|action)\s*=\s*[\"']\s*javascript:", re.IGNORECASE)


def _inline_code(html: str) -> list[str]:
    found = []
    for name, pattern in (("inline <script>", INLINE_SCRIPT), ("style attribute", STYLE_ATTRIBUTE),
                          ("event handler attribute", EVENT_HANDLER), ("javascript: URL", JAVASCRIPT_URL)):
        found += [f"{name}: {match.group(0)}" for match in pattern.finditer(html)]
    return found


def test_the_policy_forbids_inline_scripts_and_styles():
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "style-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "object-src 'none'" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")))
def test_no_template_carries_inline_script_or_style(template):
    assert _inline_code((TEMPLATES / template).read_text(encoding="utf-8")) == []


def _get_pages(app) -> list[str]:
    """Every page route without a path parameter, answered with HTML."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith(("/api/", "/static"))
                   and not rule.rule.endswith((".csv", ".xlsx", ".sie", ".json", ".txt"))})


@pytest.mark.parametrize("role", ["staff", "coordinator", "finance", "admin"])
def test_every_page_a_role_opens_has_the_policy_and_no_inline_code(app, client, db, login, role):
    organisation = {"staff": "RK", "coordinator": "AMF", "finance": "AMF", "admin": "AMF"}[role]
    login(make_user(db, organisation=organisation, roles=[role], email=f"{role}@test.se"))
    checked = 0
    for path in _get_pages(app):
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        checked += 1
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["X-Frame-Options"] == "DENY"
        assert _inline_code(response.get_data(as_text=True)) == [], path
    assert checked >= 2


def _production_app(tmp_path, database_url):
    from marketplace.app import create_app

    return create_app(Settings(env="production", database_url=database_url, secret_key="a-long-production-secret-0123456789",
                               retention_decision="Socialnämndens gallringsbeslut, dnr SN 2026/123",
                               instance_path=tmp_path / "prod", scheduler_in_process=False))


def test_production_cookies_are_secure_httponly_and_samesite(tmp_path, database_url, db, staff_user):
    app = _production_app(tmp_path, database_url)
    try:
        client = app.test_client()
        page = client.get("/logga-in", base_url="https://insatstorget.example")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
        response = client.post("/logga-in", base_url="https://insatstorget.example",
                               data={"email": staff_user.email, "password": DEFAULT_PASSWORD, "csrf_token": token},
                               headers={"Referer": "https://insatstorget.example/logga-in"})
        assert response.status_code == 302
        cookies = [value for key, value in response.headers.items() if key == "Set-Cookie"]
        assert cookies
        for cookie in cookies:
            assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    finally:
        app.extensions["insatstorget"].engine.dispose()


def test_production_is_https_only(tmp_path, database_url):
    app = _production_app(tmp_path, database_url)
    try:
        config = app.config
        assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"] and config["WTF_CSRF_SSL_STRICT"]
        assert config["PREFERRED_URL_SCHEME"] == "https"
        response = app.test_client().get("/logga-in")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response.headers["Cache-Control"] == "no-store"
    finally:
        app.extensions["insatstorget"].engine.dispose()


def test_production_refuses_to_start_without_a_secret_key_or_with_a_frozen_clock(tmp_path):
    from marketplace.app import create_app
    from marketplace.kernel.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(Settings(env="production", instance_path=tmp_path))
    with pytest.raises(ConfigurationError, match="NOW"):
        create_app(Settings(env="production", secret_key="x" * 32, now=datetime(2026, 1, 1, tzinfo=timezone.utc),
                            instance_path=tmp_path))


@pytest.mark.parametrize("decision", [None, "", "   ", " Stockholms stad, socialnämndens gallringsbeslut (demo: ange diarienummer) ",
                                      "Gallringsbeslut (ange diarienummer)"])
def test_production_refuses_to_start_with_the_placeholder_retention_decision(tmp_path, decision):
    from marketplace.app import create_app
    from marketplace.kernel.config import ConfigurationError

    chosen = {} if decision is None else {"retention_decision": decision}
    with pytest.raises(ConfigurationError, match="INSATSTORGET_RETENTION_DECISION"):
        create_app(Settings(env="production", secret_key="x" * 32, instance_path=tmp_path, **chosen))
    create_app(Settings(env="development", instance_path=tmp_path, **chosen)).extensions["insatstorget"].engine.dispose()


def test_logs_never_carry_participant_data_or_secrets(app, client, db, api, login, staff_user, coordinator, caplog, frozen_clock):
    frozen_clock(datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc))
    caplog.set_level(logging.DEBUG)  # stricter than production's INFO
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="admin@test.se"))
    programme = make_programme(db, capacity=3)
    participant = {"reference": "ÄR-2026-991", "name": "Fatima Hemligsson", "contact": "fatima@hemlig.example",
                   "needs": "Hörselnedsättning och ångest"}
    staff, coord = api(staff_user), api(coordinator)
    created = staff.post("/api/v1/bookings", json={
        "programme_id": programme.id, "start_date": "2026-06-01", "end_date": "2026-08-31", "participant": participant,
        "assignment": {"purpose": "Arbetsträning", "goals": "Rutiner", "tasks": "Måla"}, "fia_completed": True})
    assert created.status_code == 201, created.get_data(as_text=True)
    booking_id = created.get_json()["id"]
    assert staff.get(f"/api/v1/bookings/{booking_id}").get_json()["participant"]["name"] == participant["name"]
    assert coord.post(f"/api/v1/bookings/{booking_id}/approve").status_code == 200
    login(staff_user)
    client.get(f"/placeringar/{booking_id}")
    client.post("/logga-in", data={"email": staff_user.email, "password": "fel-losenord-igen"})
    other = app.test_client()
    other.post("/logga-in", data={"email": admin.email, "password": DEFAULT_PASSWORD})
    code = pyotp.TOTP(TEST_TOTP_SECRET).now()
    other.post("/logga-in/kod", data={"code": code})
    text = caplog.text
    assert "marketplace.kernel.clock" in text  # the capture works
    bearer = staff.headers["Authorization"].split()[1]
    for secret in [*participant.values()][1:] + [DEFAULT_PASSWORD, "fel-losenord-igen", bearer, TEST_TOTP_SECRET, code,
                                                "test-secret-key"]:
        assert secret not in text, f"{secret!r} reached the log"


@pytest.mark.parametrize("path", ["/placeringar/99999999999999999999999", "/api/v1/bookings/2147483648",
                                  "/admin/anvandare/99999999999999999999/aktivera"])
def test_an_id_too_large_for_the_database_is_unknown_not_an_error(client, login, api, staff_user, path):
    login(staff_user)
    response = api(staff_user).get(path) if path.startswith("/api/") else client.get(path)
    assert response.status_code in (404, 405)


def test_a_huge_page_number_is_clamped_not_an_error(client, login, admin_user):
    login(admin_user)
    assert client.get("/admin/granskningslogg?page=99999999999999999999999999").status_code == 200
