"""Who sees what: the buyer's staff and the provider's coordinators see a booking with its
participant; everyone else gets 404; visible but not allowed is 403; finance sees no
participant data anywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.bookings.models import Booking
from tests.marketplace.bookings._factories import _make_programme
from tests.marketplace.bookings._helpers import _request

PARTICIPANT = "Ahmed Ali"  # the name _helpers._place_request uses
SEES = {"staff_user": True, "coordinator": True, "other_staff_user": False, "other_coordinator": False,
        "finance_user": False, "admin_user": False}


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


@pytest.fixture
def booking(db, staff_user) -> Booking:
    """RK's staff requested a place in one of AMF's programmes."""
    return _request(db, staff_user, _make_programme(db, organisation="AMF"))


@pytest.mark.parametrize("role", list(SEES))
def test_the_booking_and_its_participant_are_visible_only_to_buyer_staff_and_provider_coordinators(
        request, app, api, login, db, booking, role):
    user = request.getfixturevalue(role)
    caller = api(user)
    response = caller.get(f"/api/v1/bookings/{booking.id}")
    listed = caller.get("/api/v1/bookings").get_json()
    page = login(user, target=app.test_client()).get(f"/placeringar/{booking.id}")

    if SEES[role]:
        assert response.status_code == 200
        assert response.get_json()["participant"]["name"] == PARTICIPANT
        assert [item["id"] for item in listed["items"]] == [booking.id]
        assert page.status_code == 200 and PARTICIPANT in page.get_data(as_text=True)
    else:
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
        assert PARTICIPANT not in response.get_data(as_text=True)
        assert listed["items"] == [] and listed["total"] == 0
        assert page.status_code == 404 and PARTICIPANT not in page.get_data(as_text=True)


@pytest.mark.parametrize("role, path, body, expected", [
    ("staff_user", "approve", None, 403),            # the buyer cannot decide its own request
    ("staff_user", "reject", {"reason": "x"}, 403),
    ("coordinator", "cancel", {"reason": "x"}, 403),  # the provider cannot cancel for the buyer
    ("coordinator", "extension", {"end_date": "2026-05-01"}, 403),
    ("other_coordinator", "approve", None, 404),
    ("other_staff_user", "cancel", {"reason": "x"}, 404),
    ("finance_user", "approve", None, 404),
    ("admin_user", "reject", {"reason": "x"}, 404),
])
def test_actions_answer_404_when_invisible_and_403_when_visible_but_not_allowed(
        request, api, db, booking, role, path, body, expected):
    caller = api(request.getfixturevalue(role))
    response = caller.post(f"/api/v1/bookings/{booking.id}/{path}", json=body) if body else caller.post(
        f"/api/v1/bookings/{booking.id}/{path}")
    assert response.status_code == expected
    db.rollback()
    db.expire_all()
    assert db.get(Booking, booking.id).status == "requested"


@pytest.mark.parametrize("role, path, expected", [
    ("staff_user", "godkann", 403), ("coordinator", "avboka", 403),
    ("other_coordinator", "godkann", 404), ("finance_user", "avsluta", 404),
])
def test_page_actions_follow_the_same_rule(request, app, login, db, booking, role, path, expected):
    client = login(request.getfixturevalue(role), target=app.test_client())
    assert client.post(f"/placeringar/{booking.id}/{path}", data={"reason": "x"}).status_code == expected


def test_unknown_bookings_look_like_invisible_ones(app, api, login, staff_user):
    response = api(staff_user).get("/api/v1/bookings/987654")
    assert response.status_code == 404
    client = login(staff_user, target=app.test_client())
    for path in ("/placeringar/987654", "/placeringar/99999999999999999999", "/insatser/99999999999999999999/boka",
                 "/insatser/99999999999999999999/belaggning"):
        assert client.get(path).status_code == 404, path


def test_finance_start_page_and_lists_show_no_participant_data(app, api, login, db, booking, finance_user, coordinator):
    client = login(finance_user, target=app.test_client())
    assert PARTICIPANT not in client.get("/").get_data(as_text=True)
    assert client.get("/placeringar").status_code == 403
    assert client.get("/forfragningar").status_code == 403
    assert api(finance_user).get("/api/v1/bookings?as=provider").get_json()["total"] == 0


def test_every_participant_read_is_logged_without_names(app, api, login, db, booking, staff_user, coordinator):
    api(coordinator).get(f"/api/v1/bookings/{booking.id}")
    login(staff_user, target=app.test_client()).get(f"/placeringar/{booking.id}")
    db.rollback()
    rows = db.execute(select(AuditLog).where(AuditLog.action == "booking.read_participant").order_by(AuditLog.id)).scalars().all()
    assert [(row.actor_id, row.object_id, row.details["via"]) for row in rows] == [
        (coordinator.id, str(booking.id), "api"), (staff_user.id, str(booking.id), "page")]
    assert all(PARTICIPANT not in str(row.details) for row in rows)
