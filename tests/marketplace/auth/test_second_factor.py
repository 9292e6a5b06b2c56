"""TOTP second factor: enrolment, verification with replay protection, the guard, API tokens."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pyotp
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.auth.models import User, UserSession
from marketplace.auth.models import TotpState
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET, enrol_totp, make_user

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


def _password_step(client, user):
    return client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD})


def _code(secret: str, moment: datetime) -> str:
    return pyotp.TOTP(secret).at(moment)


def test_an_enrolled_admin_must_give_a_code_before_any_page(client, db, frozen_clock):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    response = _password_step(client, admin)
    assert response.status_code == 302
    blocked = client.get("/admin/anvandare")
    assert blocked.status_code == 302 and "/logga-in/kod" in blocked.headers["Location"]
    assert client.get("/").status_code == 302
    wrong = client.post("/logga-in/kod", data={"code": "000000"})
    assert wrong.status_code == 401
    assert "Koden stämmer inte" in wrong.get_data(as_text=True)
    right = client.post("/logga-in/kod", data={"code": _code(TEST_TOTP_SECRET, T0)})
    assert right.status_code == 302
    assert client.get("/admin/anvandare").status_code == 200


def test_a_code_once_used_cannot_be_replayed_in_another_browser(app, db, frozen_clock):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    code = _code(TEST_TOTP_SECRET, T0)
    first, second = app.test_client(), app.test_client()
    _password_step(first, admin)
    assert first.post("/logga-in/kod", data={"code": code}).status_code == 302
    _password_step(second, admin)
    assert second.post("/logga-in/kod", data={"code": code}).status_code == 401
    frozen_clock(T0 + timedelta(seconds=30))
    assert second.post("/logga-in/kod", data={"code": _code(TEST_TOTP_SECRET, T0 + timedelta(seconds=30))}).status_code == 302


def test_a_code_from_the_neighbouring_step_is_accepted_but_not_an_older_one(client, db, frozen_clock):
    frozen_clock(T0)
    finance = enrol_totp(db, make_user(db, organisation="AMF", roles=["finance"], email="f@test.se"))
    _password_step(client, finance)
    assert client.post("/logga-in/kod", data={"code": _code(TEST_TOTP_SECRET, T0 - timedelta(seconds=90))}).status_code == 401
    assert client.post("/logga-in/kod", data={"code": _code(TEST_TOTP_SECRET, T0 - timedelta(seconds=30))}).status_code == 302


def test_an_admin_without_a_second_factor_is_sent_to_enrol_and_can_do_nothing_else(client, db, frozen_clock):
    frozen_clock(T0)
    admin = make_user(db, organisation="AMF", roles=["admin"], email="a@test.se")
    _password_step(client, admin)
    for path in ("/", "/admin/anvandare", "/admin", "/konto/losenord", "/logga-in/kod"):
        response = client.get(path)
        assert response.status_code == 302 and "/konto/tvafaktor" in response.headers["Location"], path
    page = client.get("/konto/tvafaktor")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    uri = re.search(r'href="(otpauth://totp/[^"]+)"', html).group(1)
    assert "issuer=Insatstorget" in uri
    secret = re.search(r"secret=([A-Z2-7]+)", uri).group(1)
    shown = re.search(r'<code class="totp-secret">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    assert shown == secret
    assert "<svg" in html  # the QR code, inline SVG (no script, no style attribute)
    assert client.get("/konto/tvafaktor").get_data(as_text=True).count(secret) >= 1  # reload keeps the secret
    assert client.post("/konto/tvafaktor", data={"code": "123456"}).status_code == 422
    assert client.post("/konto/tvafaktor", data={"code": _code(secret, T0)}).status_code == 302
    assert client.get("/admin/anvandare").status_code == 200
    db.expire_all()
    assert db.get(User, admin.id).totp_secret == secret
    actions = set(db.execute(select(AuditLog.action).where(AuditLog.actor_id == admin.id)).scalars())
    assert "user.totp_enrol" in actions


def test_staff_may_enrol_voluntarily_and_then_sign_in_with_a_code(client, db, frozen_clock):
    frozen_clock(T0)
    staff = make_user(db, organisation="RK", roles=["staff"], email="s@test.se")
    _password_step(client, staff)
    assert client.get("/").status_code == 200  # no second factor needed yet
    html = client.get("/konto/tvafaktor").get_data(as_text=True)
    secret = re.search(r"secret=([A-Z2-7]+)", html).group(1)
    assert client.post("/konto/tvafaktor", data={"code": _code(secret, T0)}).status_code == 302
    client.post("/logga-ut")
    frozen_clock(T0 + timedelta(minutes=1))
    _password_step(client, staff)
    assert "/logga-in/kod" in client.get("/").headers["Location"]


def test_wrong_codes_count_in_the_shared_sign_in_throttle(client, db, frozen_clock, settings):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    _password_step(client, admin)
    for _ in range(settings.login_max_failures):
        assert client.post("/logga-in/kod", data={"code": "000000"}).status_code == 401
    assert client.post("/logga-in/kod", data={"code": _code(TEST_TOTP_SECRET, T0)}).status_code == 429


def test_the_half_signed_in_session_is_not_marked_done_in_the_database(client, db, frozen_clock):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    _password_step(client, admin)
    rows = db.execute(select(UserSession).where(UserSession.user_id == admin.id)).scalars().all()
    assert [row.second_factor_done for row in rows] == [False]


def test_the_api_token_for_admin_needs_a_valid_code_once_enrolled(client, db, frozen_clock):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    body = {"email": admin.email, "password": DEFAULT_PASSWORD}
    missing = client.post("/api/v1/auth/token", json=body)
    assert missing.status_code == 401 and missing.mimetype == "application/problem+json"
    assert missing.get_json()["errors"][0]["field"] == "totp"
    ok = client.post("/api/v1/auth/token", json={**body, "totp": _code(TEST_TOTP_SECRET, T0)})
    assert ok.status_code == 200 and ok.get_json()["token"]
    replay = client.post("/api/v1/auth/token", json={**body, "totp": _code(TEST_TOTP_SECRET, T0)})
    assert replay.status_code == 401


def test_the_api_refuses_finance_without_enrolment_with_a_clear_403(client, db):
    finance = make_user(db, organisation="AMF", roles=["finance"], email="f@test.se")
    response = client.post("/api/v1/auth/token", json={"email": finance.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert "/konto/tvafaktor" in response.get_json()["detail"]


def test_the_api_token_for_staff_needs_no_code(client, staff_user):
    response = client.post("/api/v1/auth/token", json={"email": staff_user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200


def test_admin_can_reset_a_lost_second_factor(client, db, login, admin_user, frozen_clock):
    frozen_clock(T0)
    finance = enrol_totp(db, make_user(db, organisation="AMF", roles=["finance"], email="f@test.se"))
    login(admin_user)
    assert client.post(f"/admin/anvandare/{finance.id}/tvafaktor").status_code == 302
    db.expire_all()
    assert db.get(User, finance.id).totp_secret is None
    assert db.get(TotpState, finance.id) is None
    assert db.execute(select(AuditLog).where(AuditLog.action == "user.totp_reset")).scalar_one().object_id == str(finance.id)


def test_the_fixture_admin_signs_in_fully(client, login, admin_user):
    login(admin_user)
    assert client.get("/admin/anvandare").status_code == 200


def test_the_demo_admin_signs_in_with_the_printed_demo_key(app, engine, frozen_clock):
    from sqlalchemy.orm import Session

    from marketplace.operations.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_users

    frozen_clock(T0)
    with Session(engine) as session:
        report = seed_users(session, today=T0.date(), now=T0)
        session.commit()
    assert f"oathtool --totp -b {DEMO_TOTP_SECRET}" in report
    client = app.test_client()
    client.post("/logga-in", data={"email": "admin@demo.stockholm.se", "password": DEMO_PASSWORD})
    assert client.post("/logga-in/kod", data={"code": _code(DEMO_TOTP_SECRET, T0)}).status_code == 302
    assert client.get("/admin").status_code == 200


def test_the_throttle_is_shared_by_two_app_instances_on_one_database(settings, db, staff_user):
    from marketplace.app import create_app

    apps = [create_app(settings), create_app(settings)]  # two workers: separate processes' worth of state
    for each in apps:
        each.config["WTF_CSRF_ENABLED"] = False
    first, second = (each.test_client() for each in apps)
    for number in range(settings.login_max_failures):
        worker = first if number % 2 else second
        assert worker.post("/logga-in", data={"email": staff_user.email, "password": "fel"}).status_code == 401
    right = {"email": staff_user.email, "password": DEFAULT_PASSWORD}
    assert first.post("/logga-in", data=right).status_code == 429
    assert second.post("/api/v1/auth/token", json=right).status_code == 429
    for each in apps:
        each.extensions["insatstorget"].engine.dispose()


def test_deactivation_ends_browser_sessions_and_api_tokens_at_once(app, client, db, login, api, admin_user, staff_user):
    victim = login(staff_user, target=app.test_client())
    token = api(staff_user)
    assert victim.get("/").status_code == 200 and token.get("/api/v1/me").status_code == 200
    login(admin_user)
    assert client.post(f"/admin/anvandare/{staff_user.id}/inaktivera").status_code == 302
    assert victim.get("/").status_code == 302
    assert token.get("/api/v1/me").status_code == 401
    assert db.execute(select(UserSession).where(UserSession.user_id == staff_user.id)).first() is None
