"""The participant across placements (related bookings, the open-placement warning) and
forwarding a refused request (Idempotency-Key honoured, links both ways)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.bookings.forwarding import BookingForward
from marketplace.bookings.models import Booking
from tests.marketplace.bookings._factories import _make_programme

START = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


def _body(programme, reference="ÄR-77", **overrides):
    body = {
        "programme_id": programme.id, "start_date": START.isoformat(), "end_date": (START + timedelta(days=27)).isoformat(),
        "participant": {"reference": reference, "name": "Lina Berg"},
        "assignment": {"purpose": "Pröva arbete", "goals": "Fyra timmar", "tasks": "Park"},
    }
    body.update(overrides)
    return body


def test_a_second_request_for_the_same_participant_warns_and_both_list_each_other(as_user, db, staff_user,
                                                                                  coordinator, other_coordinator):
    park, cafe = _make_programme(db, name="Park"), _make_programme(db, organisation="HV", name="Kafé")
    caller = as_user(staff_user)
    first = caller.post("/api/v1/bookings", json=_body(park))
    assert first.status_code == 201 and first.get_json()["warnings"] == []
    second = caller.post("/api/v1/bookings", json=_body(cafe))
    assert second.status_code == 201  # parallel activities are allowed
    assert second.get_json()["warnings"] == ["participant_has_open_placement"]
    other = caller.post("/api/v1/bookings", json=_body(park, reference="ÄR-99"))
    assert other.get_json()["warnings"] == []

    read = caller.get(f"/api/v1/bookings/{first.get_json()['id']}").get_json()
    assert read["related"] == [{"id": second.get_json()["id"], "ref": second.get_json()["ref"],
                                "programme_name": cafe.name, "status": "requested",
                                "start_date": "2026-03-16", "end_date": "2026-04-12"}]
    assert read["forwarded_from"] is None and read["forwarded_to"] == []
    # The park's coordinator sees the park booking but not the participant's placement at another provider.
    assert as_user(coordinator).get(f"/api/v1/bookings/{first.get_json()['id']}").get_json()["related"] == []
    assert as_user(other_coordinator).get(f"/api/v1/bookings/{first.get_json()['id']}").status_code == 404


def test_the_booking_page_lists_the_participants_other_placements(as_user, login, db, staff_user):
    park, cafe = _make_programme(db, name="Park"), _make_programme(db, name="Kafé")
    first = as_user(staff_user).post("/api/v1/bookings", json=_body(park)).get_json()
    second = as_user(staff_user).post("/api/v1/bookings", json=_body(cafe)).get_json()
    page = login(staff_user).get(f"/placeringar/{first['id']}").get_data(as_text=True)
    assert "Deltagarens andra placeringar" in page and second["ref"] in page


def _rejected(as_user, db, staff_user, coordinator, programme):
    created = as_user(staff_user).post("/api/v1/bookings", json=_body(programme)).get_json()
    assert as_user(coordinator).post(f"/api/v1/bookings/{created['id']}/reject",
                                     json={"reason": "Fullt i vår"}).status_code == 200
    return created


def test_forward_a_rejected_request_with_an_idempotency_key(as_user, db, staff_user, coordinator):
    park, cafe = _make_programme(db, name="Park"), _make_programme(db, name="Kafé")
    old = _rejected(as_user, db, staff_user, coordinator, park)
    body = {"programme_id": cafe.id, "start_date": "2026-04-06", "end_date": "2026-05-03"}
    caller = as_user(staff_user)
    forwarded = caller.post(f"/api/v1/bookings/{old['id']}/forward", json=body, headers={"Idempotency-Key": "fw-1"})
    assert forwarded.status_code == 201, forwarded.get_json()
    new = forwarded.get_json()
    assert new["status"] == "requested" and new["programme"]["id"] == cafe.id and new["start_date"] == "2026-04-06"
    assert new["participant"]["reference"] == "ÄR-77" and new["participant"]["name"] == "Lina Berg"
    assert new["assignment"]["purpose"] == "Pröva arbete"
    assert new["forwarded_from"] == {"id": old["id"], "ref": old["ref"]}
    assert caller.get(f"/api/v1/bookings/{old['id']}").get_json()["forwarded_to"] == [{"id": new["id"], "ref": new["ref"]}]

    again = caller.post(f"/api/v1/bookings/{old['id']}/forward", json=body, headers={"Idempotency-Key": "fw-1"})
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["id"] == new["id"]
    assert db.execute(select(func.count()).select_from(BookingForward)).scalar_one() == 1
    moved = caller.post(f"/api/v1/bookings/{old['id']}/forward", json={**body, "start_date": "2026-04-13"},
                        headers={"Idempotency-Key": "fw-1"})
    assert moved.status_code == 422 and moved.mimetype == "application/problem+json"


def test_forward_follows_the_request_rules_and_the_policy(as_user, db, staff_user, other_staff_user, coordinator):
    park = _make_programme(db, name="Park", capacity=1)
    old = _rejected(as_user, db, staff_user, coordinator, park)
    path = f"/api/v1/bookings/{old['id']}/forward"
    body = {"programme_id": park.id, "start_date": "2026-04-06", "end_date": "2026-05-03"}
    assert as_user(coordinator).post(path, json=body).status_code == 403
    assert as_user(other_staff_user).post(path, json=body).status_code == 404
    assert as_user(staff_user).post(path, json={**body, "start_date": "2026-02-01"}).status_code == 422
    assert as_user(staff_user).post(path, json={**body, "programme_id": 999_999}).status_code == 422
    open_one = as_user(staff_user).post("/api/v1/bookings", json=_body(park, reference="ÄR-5")).get_json()
    refused = as_user(staff_user).post(f"/api/v1/bookings/{open_one['id']}/forward", json=body)
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("not_forwardable")
    full = as_user(staff_user).post(path, json={**body, "start_date": "2026-03-16", "end_date": "2026-04-12"})
    assert full.status_code == 409  # the one place is held by ÄR-5's request
    assert db.execute(select(func.count(Booking.id))).scalar_one() == 2


def test_the_request_form_warns_first_when_the_participant_has_an_open_placement(as_user, login, db, staff_user):
    park, cafe = _make_programme(db, name="Park"), _make_programme(db, name="Kafé")
    as_user(staff_user).post("/api/v1/bookings", json=_body(park))
    client = login(staff_user)
    form = {"start_date": "2026-03-16", "end_date": "2026-04-12", "participant_reference": "ÄR-77",
            "participant_name": "Lina Berg", "purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter",
            "idempotency_key": "form-1"}
    response = client.post(f"/insatser/{cafe.id}/boka", data=form, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    warning = page.index("Deltagaren har redan en begärd, godkänd eller pågående placering.")
    assert warning < page.index("Förfrågan är skickad.")


def test_forward_from_the_booking_page(as_user, login, db, staff_user, coordinator):
    park, cafe = _make_programme(db, name="Park"), _make_programme(db, name="Kafé")
    old = _rejected(as_user, db, staff_user, coordinator, park)
    client = login(staff_user)
    page = client.get(f"/placeringar/{old['id']}").get_data(as_text=True)
    assert "Skicka vidare till en annan insats" in page and cafe.name in page
    response = client.post(f"/placeringar/{old['id']}/skicka-vidare", data={
        "programme_id": cafe.id, "start_date": "2026-04-06", "end_date": "2026-05-03", "idempotency_key": "page-1"})
    assert response.status_code == 302
    new = db.execute(select(BookingForward.to_booking_id).where(BookingForward.from_booking_id == old["id"])).scalar_one()
    assert response.headers["Location"].endswith(f"/placeringar/{new}")
    shown = client.get(f"/placeringar/{new}").get_data(as_text=True)
    assert "Skickad vidare från" in shown and old["ref"] in shown
    assert "Skickad vidare som" in client.get(f"/placeringar/{old['id']}").get_data(as_text=True)
