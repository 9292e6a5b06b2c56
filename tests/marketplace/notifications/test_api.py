"""The notifications API: the caller's own list (paging, unread filter), mark one or all read,
and the mail settings per kind (validation: 422 and nothing changed)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.notifications.models import Notification, NotificationSetting
from tests.marketplace.notifications._helpers import add_notes

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
DEFAULTS = {"request": "immediately", "decision": "immediately", "message": "immediately", "meeting": "immediately",
            "followup_due": "immediately", "waitlist_offer": "immediately", "dispute": "immediately"}


def _put(client, caller, body):
    return client.put("/api/v1/me/notification-settings", json=body, headers=caller.headers)


@pytest.fixture
def now(frozen_clock):
    return frozen_clock(datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc))


def test_the_list_is_newest_first_in_the_usual_paging_shape(api, engine, now, staff_user):
    add_notes(engine, staff_user, 3, at=T0)
    caller = api(staff_user)
    body = caller.get("/api/v1/notifications").get_json()
    assert (body["total"], body["page"], body["per_page"]) == (3, 1, 20)
    assert [n["link"] for n in body["items"]] == ["/placeringar/3", "/placeringar/2", "/placeringar/1"]
    assert set(body["items"][0]) == {"id", "message", "link", "created_at", "read_at"}
    assert body["items"][0]["read_at"] is None
    second = caller.get("/api/v1/notifications?per_page=2&page=2").get_json()
    assert (second["total"], second["page"], second["per_page"]) == (3, 2, 2)
    assert [n["link"] for n in second["items"]] == ["/placeringar/1"]


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "page=0", "unread=kanske"])
def test_bad_paging_is_422_problem_json(api, now, staff_user, query):
    response = api(staff_user).get(f"/api/v1/notifications?{query}")
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_mark_one_read_then_unread_filter_and_read_all(api, db, engine, now, staff_user, coordinator):
    first, second, third = add_notes(engine, staff_user, 3, at=T0)
    theirs = add_notes(engine, coordinator, 1, at=T0)[0]
    caller = api(staff_user)
    marked = caller.post(f"/api/v1/notifications/{second}/read")
    assert marked.status_code == 200
    assert marked.get_json()["id"] == second and marked.get_json()["read_at"].startswith("2026-03-02T12:00:00")
    again = caller.post(f"/api/v1/notifications/{second}/read").get_json()
    assert again["read_at"] == marked.get_json()["read_at"]  # the first reading stays
    unread = caller.get("/api/v1/notifications?unread=true").get_json()
    assert unread["total"] == 2 and {n["id"] for n in unread["items"]} == {first, third}
    assert caller.get("/api/v1/notifications").get_json()["total"] == 3  # read ones are kept
    assert caller.post("/api/v1/notifications/read-all").get_json() == {"marked": 2}
    assert caller.get("/api/v1/notifications?unread=true").get_json()["total"] == 0
    assert caller.post("/api/v1/notifications/read-all").get_json() == {"marked": 0}
    db.rollback()
    assert db.get(Notification, theirs).read_at is None  # read-all is the caller's own only


def test_another_users_notification_is_404_and_stays_unread(api, db, engine, now, staff_user, other_staff_user):
    theirs = add_notes(engine, other_staff_user, 1, at=T0)[0]
    response = api(staff_user).post(f"/api/v1/notifications/{theirs}/read")
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert api(staff_user).post("/api/v1/notifications/999999/read").status_code == 404
    assert api(staff_user).get("/api/v1/notifications").get_json()["total"] == 0
    db.rollback()
    assert db.get(Notification, theirs).read_at is None


def test_signed_out_is_401(api, client):
    for method, path in (("get", "/api/v1/notifications"), ("post", "/api/v1/notifications/1/read"),
                         ("post", "/api/v1/notifications/read-all"), ("get", "/api/v1/me/notification-settings")):
        assert getattr(api(None), method)(path).status_code == 401, path
    assert _put(client, api(None), {"mail": {}}).status_code == 401


def test_settings_default_to_immediately_and_change_per_kind(api, client, db, now, staff_user):
    caller = api(staff_user)
    assert caller.get("/api/v1/me/notification-settings").get_json() == {"mail": DEFAULTS}
    response = _put(client, caller, {"mail": {"decision": "daily", "message": "never"}})
    assert response.status_code == 200
    assert response.get_json()["mail"] == {**DEFAULTS, "decision": "daily", "message": "never"}
    _put(client, caller, {"mail": {"message": "immediately"}})
    assert caller.get("/api/v1/me/notification-settings").get_json()["mail"] == {**DEFAULTS, "decision": "daily"}
    db.rollback()
    audits = list(db.execute(select(AuditLog).where(AuditLog.action == "user.notification_settings")).scalars())
    assert len(audits) == 2


@pytest.mark.parametrize("body, field", [
    ({"mail": {"decision": "weekly"}}, "decision"),
    ({"mail": {"newsletter": "never"}}, "newsletter"),
    ({"mail": {"decision": "daily", "meeting": 3}}, "meeting"),
    ({"mail": "never"}, "mail"),
    ({"decision": "daily"}, "decision"),
])
def test_an_invalid_kind_or_value_is_422_and_changes_nothing(api, client, db, now, staff_user, body, field):
    caller = api(staff_user)
    response = _put(client, caller, body)
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert any(field in error["field"] for error in response.get_json()["errors"]), response.get_json()
    assert caller.get("/api/v1/me/notification-settings").get_json() == {"mail": DEFAULTS}
    db.rollback()
    assert db.execute(select(NotificationSetting)).first() is None


def test_the_routes_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get"} <= set(paths["/api/v1/notifications"])
    assert "post" in paths["/api/v1/notifications/{id}/read"]
    assert "post" in paths["/api/v1/notifications/read-all"]
    assert {"get", "put"} <= set(paths["/api/v1/me/notification-settings"])
