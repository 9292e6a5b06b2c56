"""Sign-in, sign-out, throttling, CSRF, tokens, headers and problem+json."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from marketplace.kernel.config import Settings


def test_sign_in_with_the_right_password_opens_the_start_page(client, staff_user, login):
    login(staff_user)
    page = client.get("/")
    assert page.status_code == 200
    assert "Välkommen, Test Testsson" in page.get_data(as_text=True)


def test_a_wrong_password_shows_a_swedish_error(client, staff_user):
    response = client.post("/logga-in", data={"email": staff_user.email, "password": "fel-losenord"})
    assert response.status_code == 401
    assert "Fel e-postadress eller lösenord" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_the_eleventh_wrong_password_is_refused_with_429(client, staff_user):
    for _ in range(10):
        assert client.post("/logga-in", data={"email": staff_user.email, "password": "fel"}).status_code == 401
    eleventh = client.post("/logga-in", data={"email": staff_user.email, "password": "korrekt-hast-batteri"})
    assert eleventh.status_code == 429
    api = client.post("/api/v1/auth/token", json={"email": staff_user.email, "password": "korrekt-hast-batteri"})
    assert api.status_code == 429
    assert api.mimetype == "application/problem+json"


def test_the_throttle_counts_per_address_across_accounts(client, staff_user, coordinator):
    for number in range(10):
        client.post("/logga-in", data={"email": f"nobody{number}@test.se", "password": "fel"})
    assert client.post("/logga-in", data={"email": coordinator.email, "password": "korrekt-hast-batteri"}).status_code == 429


def test_the_throttle_lifts_after_ten_minutes(client, staff_user, frozen_clock):
    frozen_clock(datetime(2026, 5, 4, 9, 0))
    for _ in range(10):
        client.post("/logga-in", data={"email": staff_user.email, "password": "fel"})
    frozen_clock(datetime(2026, 5, 4, 9, 10, 1))
    assert client.post("/logga-in", data={"email": staff_user.email, "password": "korrekt-hast-batteri"}).status_code == 302


def test_sign_out_ends_the_session_on_the_server(client, staff_user, login):
    login(staff_user)
    with client.session_transaction() as cookie:
        stolen = dict(cookie)
    client.post("/logga-ut")
    with client.session_transaction() as cookie:
        cookie.update(stolen)  # replaying the old cookie must not work
    assert client.get("/").status_code == 302


def test_a_form_without_csrf_token_is_refused(csrf_app, db):
    from tests.factories import make_user

    user = make_user(db, email="csrf@test.se")
    client = csrf_app.test_client()
    response = client.post("/logga-in", data={"email": user.email, "password": "korrekt-hast-batteri"})
    assert response.status_code == 400
    assert "säkerhetstoken" in response.get_data(as_text=True)


def test_every_response_carries_the_security_headers(client):
    response = client.get("/logga-in")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_the_session_cookie_is_httponly_and_samesite(client, staff_user):
    response = client.post("/logga-in", data={"email": staff_user.email, "password": "korrekt-hast-batteri"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_mode_marks_cookies_secure_and_refuses_a_missing_secret(tmp_path, database_url):
    from marketplace.app import create_app
    from marketplace.kernel.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="INSATSTORGET_SECRET_KEY"):
        create_app(Settings(env="production", database_url=database_url, instance_path=tmp_path))
    app = create_app(Settings(env="production", database_url=database_url, instance_path=tmp_path, secret_key="s" * 40,
                              retention_decision="Socialnämndens gallringsbeslut, dnr SN 2026/123"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "max-age" in app.test_client().get("/logga-in").headers["Strict-Transport-Security"]
    app.extensions["insatstorget"].engine.dispose()


def test_a_token_works_until_it_expires(client, api, staff_user, frozen_clock):
    frozen_clock(datetime(2026, 5, 4, 9, 0))
    caller = api(staff_user)
    assert caller.get("/api/v1/me").status_code == 200
    frozen_clock(datetime(2026, 5, 4, 17, 0, 1))  # default lifetime 8 hours
    expired = caller.get("/api/v1/me")
    assert expired.status_code == 401
    assert expired.mimetype == "application/problem+json"


def test_wrong_credentials_give_401_problem(client, staff_user):
    response = client.post("/api/v1/auth/token", json={"email": staff_user.email, "password": "fel"})
    assert response.status_code == 401
    assert response.get_json()["status"] == 401


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"email": 5, "password": []}', "application/json", 422),
        ('{"email": "a@b.se", "password": "x", "extra": 1}', "application/json", 422),
        ('[]', "application/json", 422),
        ("email=a", "application/x-www-form-urlencoded", 415),
    ],
)
def test_bad_input_to_the_api_is_a_problem_never_a_500(client, body, content_type, status):
    response = client.post("/api/v1/auth/token", data=body, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    document = response.get_json()
    assert {"type", "title", "status", "detail"} <= document.keys()


def test_unknown_api_paths_and_methods_are_problems(client):
    assert client.get("/api/v1/nothing-here").mimetype == "application/problem+json"
    assert client.get("/api/v1/auth/token").status_code == 405
    assert client.get("/api/v1/auth/token").mimetype == "application/problem+json"


def test_the_openapi_document_is_generated_from_the_code(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in document["paths"]
