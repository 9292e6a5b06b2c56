"""Single sign-on against a real OpenID provider (oidc-provider-mock) running on loopback.

The provider runs in its own process on localhost (tests/marketplace/auth/_oidc_provider.py);
for the tokens a correct provider never issues (another audience, expired, another nonce)
it is told to re-sign the ID token with changed claims.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.auth.models import User, UserSession
from tests.factories import DEFAULT_PASSWORD, make_user

CLIENT_ID = "insatstorget-test"
ROOT = Path(__file__).resolve().parents[3]


class Provider:
    def __init__(self, url: str):
        self.url = url

    def tamper(self, claims: dict | None, *, publish_key: bool = True) -> None:
        body = {"claims": claims, "publish_key": publish_key} if claims is not None else {}
        assert requests.put(f"{self.url}/_tamper", json=body, timeout=5).status_code == 200


@pytest.fixture(scope="module")
def provider():
    process = subprocess.Popen([sys.executable, "-m", "tests.marketplace.auth._oidc_provider"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, text=True)
    try:
        port = int(process.stdout.readline())
        process.stdout.close()
        yield Provider(f"http://localhost:{port}")
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def sso_app(settings, provider, tmp_path):
    from marketplace.app import create_app

    def build(**overrides):
        configured = settings.model_copy(update={
            "oidc_issuer": provider.url, "oidc_client_id": CLIENT_ID, "oidc_client_secret": "s3cret", **overrides})
        application = create_app(configured)
        application.config["WTF_CSRF_ENABLED"] = False
        built.append(application)
        return application

    built = []
    yield build
    for application in built:
        application.extensions["insatstorget"].engine.dispose()


def _sso(client, provider, sub: str, claims: dict, *, keep_callback: list | None = None):
    """Run the whole flow as a browser would: our app → provider's consent form → back to us."""
    assert requests.put(f"{provider.url}/users/{sub}", json=claims, timeout=5).status_code == 204
    start = client.get("/logga-in/stadens-konto")
    assert start.status_code == 302, start.get_data(as_text=True)[:300]
    authorize = start.headers["Location"]
    assert authorize.startswith(provider.url + "/oauth2/authorize?")
    query = dict(p.split("=", 1) for p in urlsplit(authorize).query.split("&"))
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] and query["state"] and query["nonce"]
    consent = requests.post(authorize, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert consent.status_code == 302, consent.text[:300]
    back = urlsplit(consent.headers["Location"])
    assert back.path == "/logga-in/stadens-konto/klar"
    if keep_callback is not None:
        keep_callback.append(f"{back.path}?{back.query}")
    return client.get(f"{back.path}?{back.query}")


def _session_rows(db, user):
    db.expire_all()
    return db.execute(select(UserSession).where(UserSession.user_id == user.id)).scalars().all()


def test_the_sign_in_page_offers_the_city_account_only_when_configured(client, sso_app):
    assert "Logga in med stadens konto" not in client.get("/logga-in").get_data(as_text=True)
    assert client.get("/logga-in/stadens-konto").status_code == 404
    page = sso_app().test_client().get("/logga-in").get_data(as_text=True)
    assert "Logga in med stadens konto" in page and 'name="password"' in page


def test_a_known_user_signs_in_with_the_city_account(db, provider, sso_app):
    user = make_user(db, organisation="RK", roles=["staff"], email="anna.sso@test.se")
    db.commit()
    client = sso_app().test_client()
    response = _sso(client, provider, "anna-sub", {"email": "Anna.SSO@test.se", "name": "Anna"})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert len(_session_rows(db, user)) == 1
    audit_row = db.execute(select(AuditLog).where(AuditLog.action == "auth.sso_sign_in")).scalars().one()
    assert audit_row.outcome == "ok" and audit_row.object_id == str(user.id)


def test_the_same_callback_cannot_be_used_twice(db, provider, sso_app):
    user = make_user(db, organisation="RK", roles=["staff"], email="bo.sso@test.se")
    db.commit()
    application = sso_app()
    client = application.test_client()
    callbacks = []
    assert _sso(client, provider, "bo-sub", {"email": "bo.sso@test.se"}, keep_callback=callbacks).status_code == 302
    client.post("/logga-ut")
    assert len([row for row in _session_rows(db, user) if not row.revoked]) == 0
    # The same browser replays the answer: the state was used up, so it is refused.
    replay = client.get(callbacks[0])
    assert replay.status_code == 403 and "kunde inte slutföras" in replay.get_data(as_text=True)
    # A fresh sign-in whose state is valid but whose code was already redeemed: the provider refuses it.
    fresh = client.get("/logga-in/stadens-konto")
    state = dict(p.split("=", 1) for p in urlsplit(fresh.headers["Location"]).query.split("&"))["state"]
    old_code = dict(p.split("=", 1) for p in callbacks[0].split("?", 1)[1].split("&"))["code"]
    second = client.get(f"/logga-in/stadens-konto/klar?code={old_code}&state={state}")
    assert second.status_code == 403
    assert client.get("/").status_code == 302  # not signed in
    assert len([row for row in _session_rows(db, user) if not row.revoked]) == 0


@pytest.mark.parametrize(("claims", "label"), [
    ({"aud": "another-service"}, "wrong audience"),
    ({"exp": 1_000_000_000, "iat": 999_999_000}, "expired"),
    ({"nonce": "not-the-nonce-we-sent"}, "wrong nonce"),
    ({"iss": "http://evil.example"}, "wrong issuer"),
])
def test_an_id_token_failing_validation_is_refused(db, provider, sso_app, claims, label):
    user = make_user(db, organisation="RK", roles=["staff"], email="cecilia.sso@test.se")
    db.commit()
    client = sso_app().test_client()
    provider.tamper(claims)
    try:
        response = _sso(client, provider, "cecilia-sub", {"email": "cecilia.sso@test.se"})
    finally:
        provider.tamper(None)
    assert response.status_code == 403, label
    assert "kunde inte slutföras" in response.get_data(as_text=True)
    assert _session_rows(db, user) == []
    assert client.get("/").status_code == 302


def test_an_id_token_signed_with_another_key_is_refused(db, provider, sso_app):
    user = make_user(db, organisation="RK", roles=["staff"], email="david.sso@test.se")
    db.commit()
    client = sso_app().test_client()
    provider.tamper({}, publish_key=False)  # claims untouched, signed with a key the provider does not publish
    try:
        response = _sso(client, provider, "david-sub", {"email": "david.sso@test.se"})
    finally:
        provider.tamper(None)
    assert response.status_code == 403
    assert _session_rows(db, user) == []


def test_an_unknown_user_is_refused_with_a_clear_page(db, provider, sso_app):
    client = sso_app().test_client()
    response = _sso(client, provider, "okand-sub", {"email": "okand@test.se"})
    assert response.status_code == 403
    assert "finns inte i Insatstorget" in response.get_data(as_text=True)
    assert db.execute(select(User).where(User.email == "okand@test.se")).scalar_one_or_none() is None
    refused = db.execute(select(AuditLog).where(AuditLog.action == "auth.sso_sign_in")).scalars().one()
    assert refused.outcome == "refused" and refused.details["reason"] == "unknown_user"


def test_just_in_time_creation_takes_roles_and_organisation_from_the_claim_map(db, provider, sso_app, tmp_path):
    claim_map = tmp_path / "claims.toml"
    claim_map.write_text('claim = "groups"\n[values."amf-samordnare"]\norganisation = "AMF"\nroles = ["coordinator"]\n',
                         encoding="utf-8")
    client = sso_app(oidc_jit=True, oidc_claim_map=claim_map).test_client()
    response = _sso(client, provider, "ny-sub", {"email": "ny.samordnare@test.se", "name": "Ny Samordnare",
                                                "groups": ["amf-samordnare", "annat"]})
    assert response.status_code == 302
    created = db.execute(select(User).where(User.email == "ny.samordnare@test.se")).scalar_one()
    assert created.roles == "coordinator" and created.name == "Ny Samordnare"
    # Without a mapped group, just-in-time creation still refuses.
    other = sso_app(oidc_jit=True, oidc_claim_map=claim_map).test_client()
    assert _sso(other, provider, "x-sub", {"email": "x@test.se", "groups": ["annat"]}).status_code == 403


def test_the_providers_mfa_replaces_the_local_code_for_admin(db, provider, sso_app):
    admin = make_user(db, organisation="AMF", roles=["admin"], email="admin.sso@test.se")
    db.commit()
    with_mfa = sso_app().test_client()
    assert _sso(with_mfa, provider, "admin-sub", {"email": "admin.sso@test.se", "amr": ["pwd", "mfa"]}).status_code == 302
    assert with_mfa.get("/admin/anvandare").status_code == 200
    without = sso_app().test_client()
    assert _sso(without, provider, "admin-sub2", {"email": "admin.sso@test.se", "amr": ["pwd"]}).status_code == 302
    blocked = without.get("/admin/anvandare")
    assert blocked.status_code == 302 and "/konto/tvafaktor" in blocked.headers["Location"]
    rows = _session_rows(db, admin)
    assert sorted(row.second_factor_done for row in rows) == [False, True]


def test_acr_can_be_the_mfa_claim(db, provider, sso_app):
    make_user(db, organisation="AMF", roles=["finance"], email="ekonom.sso@test.se")
    db.commit()
    client = sso_app(oidc_mfa_claim="acr", oidc_mfa_values="urn:stockholm:loa3").test_client()
    assert _sso(client, provider, "ek-sub", {"email": "ekonom.sso@test.se", "acr": "urn:stockholm:loa3"}).status_code == 302
    assert client.get("/").status_code == 200


def test_password_login_can_be_turned_off(db, provider, sso_app, app):
    user = make_user(db, organisation="RK", roles=["staff"], email="eva.sso@test.se")
    db.commit()
    application = sso_app(password_login=False)
    client = application.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med stadens konto" in page and 'name="password"' not in page
    refused = client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert refused.status_code == 403 and _session_rows(db, user) == []
    api = client.post("/api/v1/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD})
    assert api.status_code == 403 and api.get_json()["type"].endswith("password_login_off")
    assert _sso(client, provider, "eva-sub", {"email": user.email}).status_code == 302
    assert client.get("/").status_code == 200


def test_password_login_off_without_sso_refuses_to_start(settings):
    from marketplace.kernel.config import ConfigurationError

    with pytest.raises(ConfigurationError, match="PASSWORD_LOGIN"):
        settings.model_copy(update={"password_login": False}).check_startable()


def test_sign_out_ends_the_local_session_and_goes_to_the_providers_end_session(db, provider, sso_app):
    user = make_user(db, organisation="RK", roles=["staff"], email="frida.sso@test.se")
    db.commit()
    client = sso_app().test_client()
    assert _sso(client, provider, "frida-sub", {"email": user.email}).status_code == 302
    response = client.post("/logga-ut")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(provider.url + "/oauth2/end_session?")
    assert "post_logout_redirect_uri=http%3A%2F%2Flocalhost%2Flogga-in" in response.headers["Location"]
    assert all(row.revoked for row in _session_rows(db, user))
    assert client.get("/").status_code == 302
    assert provider.url in response.headers["Content-Security-Policy"]
    # A password sign-in signs out locally only.
    local = sso_app().test_client()
    local.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert local.post("/logga-ut").headers["Location"] == "/logga-in"
