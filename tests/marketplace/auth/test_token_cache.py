"""Bearer tokens: one query per check, a short per-process cache, and revocation that still locks out.

The suite runs with INSATSTORGET_API_TOKEN_CACHE_SECONDS=0 (tests/conftest.py); the tests
here that need the cache build an app with a TTL and a clock they move by hand.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, text

from marketplace.kernel import clock
from marketplace.auth import tokens
from tests.factories import DEFAULT_PASSWORD

TTL = 30.0


class FakeMonotonic:
    def __init__(self):
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def ticking(monkeypatch):
    """The cache's monotonic clock, moved by hand; the cache starts empty and is emptied after."""
    fake = FakeMonotonic()
    monkeypatch.setattr(tokens.actor_cache, "monotonic", fake)
    tokens.actor_cache.clear()
    yield fake
    tokens.actor_cache.clear()


@pytest.fixture
def cached_app(settings, ticking):
    from marketplace.app import create_app

    application = create_app(settings.model_copy(update={"api_token_cache_seconds": TTL}))
    application.config["WTF_CSRF_ENABLED"] = False
    yield application
    application.extensions["insatstorget"].engine.dispose()


def _token(client, user) -> dict:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


class Statements:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN (marketplace/db.py) is no query
            self.count += 1


def _out_of_band(engine, sql: str, **params) -> None:
    """A change made by another process: raw SQL, so no ORM hook of this process sees it."""
    with engine.begin() as connection:
        connection.execute(text(sql), params)


# --- without the cache (the suite's default) ---------------------------------------------------


def test_a_token_check_is_one_query(app, client, staff_user):
    headers = _token(client, staff_user)
    statements = Statements(app.extensions["insatstorget"].engine)
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200 and response.get_json()["organisation"] == "RK"
    assert statements.count == 1


def test_without_the_cache_revocation_and_deactivation_lock_out_at_once(app, client, staff_user):
    engine = app.extensions["insatstorget"].engine
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    _out_of_band(engine, "UPDATE api_token SET revoked = :yes", yes=True)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    _out_of_band(engine, "UPDATE app_user SET active = :no WHERE id = :id", no=False, id=staff_user.id)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


# --- with the cache ------------------------------------------------------------------------------


def test_a_cached_token_costs_no_query_until_the_ttl_passes(cached_app, staff_user, ticking):
    client = cached_app.test_client()
    headers = _token(client, staff_user)
    statements = Statements(cached_app.extensions["insatstorget"].engine)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert statements.count == 1
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert statements.count == 1
    ticking.value += TTL
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert statements.count == 2


def test_a_token_revoked_elsewhere_is_refused_once_the_ttl_has_passed(cached_app, staff_user, ticking):
    client = cached_app.test_client()
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    _out_of_band(cached_app.extensions["insatstorget"].engine, "UPDATE api_token SET revoked = :yes", yes=True)
    ticking.value += TTL - 1
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the documented bound: within the TTL
    ticking.value += 1
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # a refusal is never cached as a pass


def test_a_user_deactivated_elsewhere_is_refused_once_the_ttl_has_passed(cached_app, staff_user, ticking):
    client = cached_app.test_client()
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    _out_of_band(cached_app.extensions["insatstorget"].engine, "UPDATE app_user SET active = :no WHERE id = :id",
                 no=False, id=staff_user.id)
    ticking.value += TTL
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_deactivation_in_this_process_locks_out_at_once(cached_app, staff_user, admin_user, db):
    from tests.conftest import _finish_second_factor

    client = cached_app.test_client()
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    admin = cached_app.test_client()
    assert admin.post("/logga-in", data={"email": admin_user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    _finish_second_factor(cached_app, admin, admin_user)
    assert admin.post(f"/admin/anvandare/{staff_user.id}/inaktivera").status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # no TTL to wait for


def test_a_role_change_through_the_orm_reaches_the_cache_at_once(cached_app, staff_user, db):
    client = cached_app.test_client()
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).get_json()["roles"] == ["staff"]
    staff_user.roles = "coordinator staff"
    db.add(staff_user)
    db.commit()
    assert client.get("/api/v1/me", headers=headers).get_json()["roles"] == ["coordinator", "staff"]


def test_a_cached_token_is_refused_the_moment_it_expires(cached_app, staff_user, frozen_clock):
    start = frozen_clock("2026-05-04T08:00:00+00:00")
    client = cached_app.test_client()
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    frozen_clock(start + timedelta(hours=cached_app.extensions["insatstorget"].settings.token_hours))
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    clock.freeze(None)


def test_an_unknown_token_is_asked_of_the_database_every_time(cached_app, staff_user):
    client = cached_app.test_client()
    statements = Statements(cached_app.extensions["insatstorget"].engine)
    bad = {"Authorization": "Bearer not-a-token"}
    before = statements.count
    assert client.get("/api/v1/me", headers=bad).status_code == 401
    first = statements.count - before
    assert client.get("/api/v1/me", headers=bad).status_code == 401
    assert statements.count - before == 2 * first
    assert tokens.actor_cache._entries == {}


def test_a_token_revoked_through_the_api_is_refused_at_once_despite_the_cache(cached_app, staff_user):
    client = cached_app.test_client()
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # now cached
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401  # no TTL to wait for


def test_a_password_change_in_this_process_locks_tokens_out_at_once(cached_app, staff_user):
    client = cached_app.test_client()
    headers = _token(client, staff_user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # now cached
    browser = cached_app.test_client()
    assert browser.post("/logga-in", data={"email": staff_user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    changed = browser.post("/konto/losenord", data={"current_password": DEFAULT_PASSWORD,
                                                    "new_password": "ett-helt-nytt-losenord"})
    assert changed.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
