"""A password change, "sign out everywhere" and DELETE /api/v1/auth/token end what they should, at once."""

from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.auth.models import ApiToken
from tests.factories import DEFAULT_PASSWORD

NEW_PASSWORD = "ett-helt-nytt-losenord"


def _token(client, user, password: str = DEFAULT_PASSWORD) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _signed_in(app, login, user):
    return login(user, target=app.test_client())


def test_a_password_change_ends_the_other_sessions_and_tokens_and_keeps_this_one(app, login, staff_user):
    here, elsewhere = _signed_in(app, login, staff_user), _signed_in(app, login, staff_user)
    api = app.test_client()
    headers = _token(api, staff_user)
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    assert elsewhere.get("/konto/losenord").status_code == 200

    changed = here.post("/konto/losenord", data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 302
    assert here.get("/konto/losenord").status_code == 200  # the browser that changed it stays signed in
    assert elsewhere.get("/konto/losenord").status_code == 302  # the other one is sent to sign in
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert api.post("/api/v1/auth/token", json={"email": staff_user.email, "password": DEFAULT_PASSWORD}).status_code == 401
    assert api.get("/api/v1/me", headers=_token(api, staff_user, NEW_PASSWORD)).status_code == 200


def test_a_wrong_current_password_ends_nothing(app, login, staff_user):
    here, elsewhere = _signed_in(app, login, staff_user), _signed_in(app, login, staff_user)
    api = app.test_client()
    headers = _token(api, staff_user)
    refused = here.post("/konto/losenord", data={"current_password": "fel-losenord-123", "new_password": NEW_PASSWORD})
    assert refused.status_code == 422
    assert elsewhere.get("/konto/losenord").status_code == 200
    assert api.get("/api/v1/me", headers=headers).status_code == 200


def test_the_sessions_page_lists_sessions_and_tokens_without_their_secrets(app, login, staff_user):
    here, _elsewhere = _signed_in(app, login, staff_user), _signed_in(app, login, staff_user)
    api = app.test_client()
    headers = _token(api, staff_user)
    page = here.get("/konto/sessioner")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    sessions_table = html.split('id="sessions"')[1].split("</table>")[0]
    assert sessions_table.count("<tr>") == 1 + 2  # header and two browsers
    assert sessions_table.count("Den här webbläsaren") == 1
    tokens_table = html.split('id="api-tokens"')[1].split("</table>")[0]
    assert tokens_table.count("<tr>") == 1 + 1
    secret = headers["Authorization"].split()[1]
    assert secret not in html
    with here.session_transaction() as cookie:
        assert cookie["_user_id"] not in html


def test_sign_out_everywhere_keeps_this_browser_and_ends_the_rest(app, login, staff_user, db):
    here, elsewhere = _signed_in(app, login, staff_user), _signed_in(app, login, staff_user)
    api = app.test_client()
    headers = _token(api, staff_user)
    response = here.post("/konto/sessioner/logga-ut-overallt")
    assert response.status_code == 302
    page = here.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du är utloggad på alla andra enheter" in page
    assert "Inga giltiga API-nycklar." in page
    assert elsewhere.get("/konto/sessioner").status_code == 302
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert db.execute(select(AuditLog).where(AuditLog.action == "user.sign_out_everywhere")).scalar_one().object_id == str(staff_user.id)


def test_sign_out_everywhere_needs_the_csrf_token(csrf_app, staff_user):
    client = csrf_app.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/logga-in", data={"email": staff_user.email, "password": DEFAULT_PASSWORD,
                                          "csrf_token": token}).status_code == 302
    assert client.post("/konto/sessioner/logga-ut-overallt").status_code == 400
    assert client.get("/konto/sessioner").status_code == 200  # still signed in: nothing was ended


def test_delete_token_revokes_the_calling_token_only(app, staff_user, db):
    api = app.test_client()
    first, second = _token(api, staff_user), _token(api, staff_user)
    response = api.delete("/api/v1/auth/token", headers=first)
    assert response.status_code == 204
    assert api.get("/api/v1/me", headers=first).status_code == 401
    assert api.get("/api/v1/me", headers=second).status_code == 200
    assert len(db.execute(select(ApiToken)).scalars().all()) == 1
    again = api.delete("/api/v1/auth/token", headers=first)
    assert again.status_code == 401 and again.headers["Content-Type"].startswith("application/problem+json")


def test_delete_token_without_a_token_is_a_problem(app):
    response = app.test_client().delete("/api/v1/auth/token")
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_delete_token_is_in_the_openapi_document(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/auth/token"]["delete"]
    assert operation["security"] == [{"bearer": []}]
    assert "204" in operation["responses"] and "401" in operation["responses"]
