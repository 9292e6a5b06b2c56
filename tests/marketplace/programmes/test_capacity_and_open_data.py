"""Free places, the availability filter, the capacity floor (409) and the HSDS export, from bookings."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from catalog.models import Organisation, Programme
from marketplace.bookings.models import Booking
from tests.catalog.test_hsds import hsds_validator
from tests.factories import make_programme

NOW = "2026-03-02T09:00:00+00:00"
_refs = itertools.count(1)


def _book(db, programme, *, start: date, end: date, requester_id: int, status: str = "approved") -> Booking:
    number = next(_refs)
    buyer = db.execute(select(Organisation.id).where(Organisation.code == "RK")).scalar_one()
    at = datetime(2026, 3, 1, tzinfo=timezone.utc)
    booking = Booking(
        ref=f"B-T-{number:06d}", programme_id=programme.id, buyer_organisation_id=buyer, requester_id=requester_id,
        status=status, start_date=start, end_date=end, price_ore=programme.price_ore, price_unit=programme.price_unit,
        participant_reference=f"REF-{number}", assignment_purpose="Syfte", assignment_goals="Mål",
        assignment_tasks="Uppgifter", created_at=at, updated_at=at,
    )
    db.add(booking)
    db.commit()
    return booking


@pytest.fixture
def full_in_march(db, frozen_clock, staff_user):
    """A programme with two places, both taken 2026-03-10..03-20, and one with places free."""
    frozen_clock(NOW)
    busy = make_programme(db, name="Parklaget Kista", capacity=2, category="outdoor_park")
    free = make_programme(db, name="Parklaget Farsta", capacity=2, category="outdoor_park")
    for _ in range(2):
        _book(db, busy, start=date(2026, 3, 10), end=date(2026, 3, 20), requester_id=staff_user.id)
    _book(db, busy, start=date(2026, 3, 1), end=date(2026, 3, 5), requester_id=staff_user.id)
    return busy, free


def test_free_places_today_come_from_bookings(api, staff_user, full_in_march):
    busy, free = full_in_march
    items = {i["name"]: i for i in api(staff_user).get("/api/v1/programmes?q=parklaget").get_json()["items"]}
    assert items["Parklaget Kista"]["free_places"] == 1  # 2026-03-02: one booking runs 03-01..03-05
    assert items["Parklaget Farsta"]["free_places"] == 2


def test_the_availability_filter_keeps_programmes_free_on_every_day_of_the_range(api, staff_user, full_in_march):
    caller = api(staff_user)

    def names(start, end):
        body = caller.get(f"/api/v1/programmes?q=parklaget&available_from={start}&available_to={end}").get_json()
        return [item["name"] for item in body["items"]]

    assert names("2026-03-06", "2026-03-09") == ["Parklaget Farsta", "Parklaget Kista"]
    assert names("2026-03-08", "2026-03-12") == ["Parklaget Farsta"]
    assert names("2026-03-21", "2026-03-31") == ["Parklaget Farsta", "Parklaget Kista"]
    assert caller.get("/api/v1/programmes?available_from=2026-03-12&available_to=2026-03-01").status_code == 422


def test_the_search_page_applies_the_availability_filter_too(client, login, staff_user, full_in_march):
    login(staff_user)
    page = client.get("/insatser?q=parklaget&available_from=2026-03-12&available_to=2026-03-14").get_data(as_text=True)
    assert "Parklaget Farsta" in page and "Parklaget Kista" not in page


def test_lowering_capacity_below_what_is_booked_is_409_naming_the_days(api, coordinator, full_in_march, db):
    busy, _ = full_in_march
    response = api(coordinator).patch(f"/api/v1/programmes/{busy.id}", json={"capacity": 1})
    assert response.status_code == 409
    body = response.get_json()
    assert "2026-03-10" in body["detail"]
    db.rollback()
    db.expire_all()
    assert db.get(Programme, busy.id).capacity == 2


def test_lowering_capacity_to_what_is_booked_is_allowed(api, coordinator, full_in_march):
    busy, _ = full_in_march
    assert api(coordinator).patch(f"/api/v1/programmes/{busy.id}", json={"capacity": 2}).status_code == 200
    free = api(coordinator).patch(f"/api/v1/programmes/{full_in_march[1].id}", json={"capacity": 0})
    assert free.status_code == 200 and free.get_json()["free_places"] == 0


def test_the_edit_form_explains_a_capacity_below_bookings_in_swedish(client, login, coordinator, full_in_march):
    busy, _ = full_in_march
    login(coordinator)
    data = {"name": busy.name, "code": busy.code, "organisation": "AMF", "category": "outdoor_park", "capacity": "1",
            "price": "4500", "price_unit": "month"}
    response = client.post(f"/vara-insatser/{busy.id}/andra", data=data)
    assert response.status_code == 422
    assert "Det finns redan fler bokade platser än så den 2026-03-10" in response.get_data(as_text=True)


def test_availability_lists_committed_and_free_per_day(api, staff_user, full_in_march):
    busy, _ = full_in_march
    body = api(staff_user).get(f"/api/v1/programmes/{busy.id}/availability?from=2026-03-04&to=2026-03-10").get_json()
    assert body["programme_id"] == busy.id and body["capacity"] == 2
    days = {d["date"]: (d["committed"], d["free"]) for d in body["days"]}
    assert days["2026-03-04"] == (1, 1) and days["2026-03-07"] == (0, 2) and days["2026-03-10"] == (2, 0)
    assert len(days) == 7
    assert api(staff_user).get(f"/api/v1/programmes/{busy.id}/availability?from=2026-03-10&to=2026-03-01").status_code == 422


def test_the_hsds_export_is_open_valid_and_has_live_free_places(client, full_in_march, db):
    make_programme(db, name="Utkast syns inte", status="draft")
    response = client.get("/api/v1/hsds/services")
    assert response.status_code == 200
    body = response.get_json()
    assert list(hsds_validator("page.json").iter_errors(body)) == []
    assert body["total_items"] == 2
    by_name = {service["name"]: service for service in body["contents"]}
    assert set(by_name) == {"Parklaget Kista", "Parklaget Farsta"}
    assert by_name["Parklaget Kista"]["x_capacity"]["free_places_today"] == 1
    assert by_name["Parklaget Farsta"]["x_capacity"] == {"places": 2, "free_places_today": 2, "as_of": "2026-03-02"}
    assert client.get("/api/v1/hsds/services?per_page=1&page=2").get_json()["contents"][0]["name"] == "Parklaget Kista"
    assert client.get("/api/v1/hsds/services?per_page=500").status_code == 422
