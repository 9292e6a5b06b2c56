"""Reserved places (quotas): a programme keeps places for a target group or a buying
organisation; other requests use only the unreserved places, matching ones their reservation
and the unreserved places, per day; search, free places and next_free_date count the same."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from catalog.models import Programme, ProgrammeReservation
from marketplace.bookings import reserved_days
from marketplace.bookings.reserved_days import Pools, Reserved
from tests.marketplace.bookings._factories import _make_booking

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
START = date(2026, 3, 16)
GROUP = "young_adults"


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


def _create(api, coordinator, *, capacity: int, reserved: list, code: str = "RES-01", **fields) -> dict:
    body = {"code": code, "name": f"Reserverad {code}", "category": "outdoor_park", "capacity": capacity,
            "price": {"amount": "4500.00", "unit": "month"}, "status": "published", "reserved": reserved, **fields}
    response = api(coordinator).post("/api/v1/programmes", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def _request(api, user, programme_id: int, *, group: str | None = None, start: date = START, days: int = 14):
    body = {"programme_id": programme_id, "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=days - 1)).isoformat(),
            "participant": {"reference": "ÄR-9", "name": "Deltagare"},
            "assignment": {"purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter"}}
    if group:
        body["participant_target_group"] = group
    return api(user).post("/api/v1/bookings", json=body)


# --- the rule ---------------------------------------------------------------------------------


def test_the_pool_rule_by_numbers():
    pools = Pools(3, (Reserved(1, GROUP, None, 2),))
    assert pools.unreserved == 1
    assert pools.free({}, None) == 1 and pools.free({}, 1) == 3
    assert pools.free({None: 1}, None) == 0 and pools.free({None: 1}, 1) == 2
    assert pools.free({1: 2}, None) == 1 and pools.free({1: 3}, None) == 0  # the third overflows into the unreserved place
    assert pools.free({1: 2, None: 1}, 1) == 0
    both = Pools(2, (Reserved(1, GROUP, None, 1), Reserved(2, None, 7, 1)))
    assert both.pool_of(7, GROUP) == 2 and both.pool_of(8, GROUP) == 1 and both.pool_of(8, None) is None
    assert both.free({}, None) == 0  # every place is reserved
    days = reserved_days.full_days_by_pool([(START, START, None, 1), (START, START, NOW + timedelta(days=1), None)],
                                           Pools(2, (Reserved(1, GROUP, None, 1),)))
    assert days == {None: [(START, NOW + timedelta(days=1))], 1: [(START, NOW + timedelta(days=1))]}


# --- in the programme (API and form) --------------------------------------------------------


def test_reservations_through_the_api_are_checked_and_shown(api, db, coordinator):
    created = _create(api, coordinator, capacity=3, reserved=[{"target_group": GROUP, "places": 2}])
    assert created["reserved"] == [{"target_group": GROUP, "organisation": None, "places": 2}]
    client = api(coordinator)
    for bad in ([{"target_group": GROUP, "places": 4}], [{"target_group": "no_such_group", "places": 1}],
                [{"organisation": "NOPE", "places": 1}], [{"target_group": GROUP, "organisation": "RK", "places": 1}],
                [{"target_group": GROUP, "places": 1}, {"target_group": GROUP, "places": 1}],
                [{"organisation": "RK", "places": 2}, {"target_group": GROUP, "places": 2}]):
        response = client.patch(f"/api/v1/programmes/{created['id']}", json={"reserved": bad})
        assert response.status_code == 422, (bad, response.get_data(as_text=True))
        assert response.headers["Content-Type"].startswith("application/problem+json")
    assert client.patch(f"/api/v1/programmes/{created['id']}", json={"capacity": 1}).status_code == 422
    assert client.post("/api/v1/programmes", json={
        "code": "RES-X", "name": "För många", "category": "outdoor_park", "capacity": 1,
        "price": {"amount": "1.00", "unit": "month"}, "reserved": [{"target_group": GROUP, "places": 2}]}).status_code == 422
    db.rollback()
    assert db.execute(select(Programme.reserved_places).where(Programme.id == created["id"])).scalar_one() == 2
    assert db.execute(select(Programme.id).where(Programme.code == "RES-X")).first() is None
    changed = client.patch(f"/api/v1/programmes/{created['id']}", json={"reserved": [{"organisation": "rk", "places": 1}]})
    assert changed.status_code == 200 and changed.get_json()["reserved"] == [
        {"target_group": None, "organisation": "RK", "places": 1}]
    cleared = client.patch(f"/api/v1/programmes/{created['id']}", json={"reserved": []}).get_json()
    assert cleared["reserved"] == [] and cleared["free_places"] == 3
    db.rollback()
    assert db.execute(select(ProgrammeReservation)).first() is None


def test_the_programme_form_takes_one_reservation_per_line(client, login, db, coordinator, api):
    created = _create(api, coordinator, capacity=3, reserved=[])
    login(coordinator)
    form = client.get(f"/vara-insatser/{created['id']}/andra").get_data(as_text=True)
    assert 'name="reserved"' in form and "Reserverade platser" in form
    import re
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    fields = {"csrf_token": token, "name": created["name"], "code": created["code"], "organisation": "AMF",
              "category": "outdoor_park", "capacity": "3", "price": "4500", "price_unit": "month"}
    bad = client.post(f"/vara-insatser/{created['id']}/andra", data={**fields, "reserved": "young_adults två"})
    assert bad.status_code == 422 and "Rad 1: skriv koden" in bad.get_data(as_text=True)
    too_many = client.post(f"/vara-insatser/{created['id']}/andra", data={**fields, "reserved": "young_adults: 2\nRK: 2"})
    assert too_many.status_code == 422 and "fler än insatsens platser" in too_many.get_data(as_text=True)
    saved = client.post(f"/vara-insatser/{created['id']}/andra", data={**fields, "reserved": "young_adults: 2\nRK: 1"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    page = client.get(f"/insatser/{created['id']}").get_data(as_text=True)
    assert "Reserverade platser" in page and "2 för Unga vuxna" in page and "1 för Rinkeby-Kista stadsdelsförvaltning" in page
    again = client.get(f"/vara-insatser/{created['id']}/andra").get_data(as_text=True)
    assert "young_adults: 2\nRK: 1" in again


# --- requests ---------------------------------------------------------------------------------


def test_a_request_of_no_reservation_uses_only_the_unreserved_places(api, db, coordinator, staff_user):
    programme = _create(api, coordinator, capacity=2, reserved=[{"target_group": GROUP, "places": 1}])
    assert _request(api, staff_user, programme["id"]).status_code == 201
    refused = _request(api, staff_user, programme["id"])
    assert refused.status_code == 409 and refused.get_json()["type"].endswith("no_capacity")
    assert _request(api, staff_user, programme["id"], group="newly_arrived").status_code == 409  # another group
    assert _request(api, staff_user, programme["id"], group=GROUP).status_code == 201
    assert _request(api, staff_user, programme["id"], group=GROUP).status_code == 409  # every place taken
    # Other days are untouched: the count is per day.
    assert _request(api, staff_user, programme["id"], start=START + timedelta(days=14)).status_code == 201
    db.rollback()
    groups = sorted(str(g) for g in db.execute(select(ProgrammeReservation.target_group_code)).scalars())
    assert groups == [GROUP]


def test_a_matching_request_may_use_its_reservation_and_the_unreserved_places(api, coordinator, staff_user):
    programme = _create(api, coordinator, capacity=3, reserved=[{"target_group": GROUP, "places": 1}])
    assert [_request(api, staff_user, programme["id"], group=GROUP).status_code for _ in range(4)] == [201, 201, 201, 409]
    assert _request(api, staff_user, programme["id"]).status_code == 409


def test_a_reservation_for_a_buying_organisation(api, coordinator, staff_user, other_staff_user):
    programme = _create(api, coordinator, capacity=2, reserved=[{"organisation": "RK", "places": 1}])
    assert _request(api, other_staff_user, programme["id"]).status_code == 201  # ST: the unreserved place
    assert _request(api, other_staff_user, programme["id"]).status_code == 409
    assert _request(api, staff_user, programme["id"]).status_code == 201  # RK: its own place


def test_an_unknown_participant_target_group_is_422(api, coordinator, staff_user):
    programme = _create(api, coordinator, capacity=2, reserved=[])
    response = _request(api, staff_user, programme["id"], group="no_such_group")
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_the_request_form_states_the_target_group(client, login, api, db, coordinator, staff_user):
    import re

    programme = _create(api, coordinator, capacity=1, reserved=[{"target_group": GROUP, "places": 1}])
    login(staff_user)
    form = client.get(f"/insatser/{programme['id']}/boka?participant_target_group={GROUP}").get_data(as_text=True)
    assert 'name="participant_target_group"' in form and f'<option selected value="{GROUP}">' in form
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', form).group(1)
    data = {"csrf_token": token, "idempotency_key": key, "start_date": START.isoformat(),
            "end_date": (START + timedelta(days=13)).isoformat(), "participant_reference": "ÄR-3",
            "participant_name": "Deltagare", "purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter"}
    refused = client.post(f"/insatser/{programme['id']}/boka", data={**data, "participant_target_group": ""})
    assert refused.status_code == 409
    made = client.post(f"/insatser/{programme['id']}/boka", data={**data, "participant_target_group": GROUP})
    assert made.status_code == 302, made.get_data(as_text=True)
    from marketplace.bookings.models import Booking

    db.rollback()
    assert db.execute(select(Booking.participant_target_group)).scalar_one() == GROUP


# --- what search sees -------------------------------------------------------------------------


def test_search_and_next_free_date_see_unreserved_places_or_the_groups_too(api, db, coordinator, staff_user):
    reserved = _create(api, coordinator, capacity=1, reserved=[{"target_group": GROUP, "places": 1}], code="RES-A")
    mixed = _create(api, coordinator, capacity=2, reserved=[{"target_group": GROUP, "places": 1}], code="RES-B")
    client = api(staff_user)

    def found(query: str) -> dict[int, dict]:
        body = client.get(f"/api/v1/programmes?q=Reserverad&{query}").get_json()
        return {item["id"]: item for item in body["items"]}

    window = f"available_from={START}&available_to={START + timedelta(days=13)}"
    generic = found(window)
    assert set(generic) == {mixed["id"]} and generic[mixed["id"]]["free_places"] == 1
    assert set(found(f"{window}&participant_target_group={GROUP}")) == {reserved["id"], mixed["id"]}
    assert found("")[reserved["id"]]["next_free_date"] is None
    assert found("")[reserved["id"]]["free_places"] == 0
    assert found(f"participant_target_group={GROUP}")[reserved["id"]]["next_free_date"] == "2026-03-02"
    assert set(found("start_by=2026-03-31")) == {mixed["id"]}
    assert set(found(f"start_by=2026-03-31&participant_target_group={GROUP}")) == {reserved["id"], mixed["id"]}
    # The group's place is taken in March (a hold); the unreserved place of `mixed` is taken too.
    assert _request(api, staff_user, reserved["id"], group=GROUP, start=date(2026, 3, 2), days=30).status_code == 201
    assert _request(api, staff_user, mixed["id"], start=date(2026, 3, 2), days=30).status_code == 201
    assert found(f"participant_target_group={GROUP}")[reserved["id"]]["next_free_date"] == "2026-04-01"
    assert found("")[mixed["id"]]["next_free_date"] == "2026-04-01"  # the group's place is not for everyone
    assert found(f"participant_target_group={GROUP}")[mixed["id"]]["next_free_date"] == "2026-03-02"
    assert set(found(f"{window}&participant_target_group={GROUP}")) == {mixed["id"]}
    assert set(found(window)) == set()
    assert set(found(f"start_by=2026-03-31&participant_target_group={GROUP}")) == {mixed["id"]}
    assert set(found("start_by=2026-04-01")) == {mixed["id"]}
    per_day = f"/api/v1/programmes/{mixed['id']}/availability?from=2026-03-31&to=2026-04-01"
    assert [(d["committed"], d["free"]) for d in client.get(per_day).get_json()["days"]] == [(1, 0), (0, 1)]
    assert [(d["committed"], d["free"]) for d in client.get(per_day + f"&participant_target_group={GROUP}")
            .get_json()["days"]] == [(1, 1), (0, 2)]


def test_the_index_follows_bookings_made_before_the_reservation(api, db, coordinator, staff_user):
    """Reserving places later recomputes the programme's full days: the unreserved place an
    existing booking uses is taken for everyone else."""
    programme = _create(api, coordinator, capacity=2, reserved=[])
    row = db.get(Programme, programme["id"])
    _make_booking(db, row, start=date(2026, 3, 2), end=date(2026, 3, 31), requester_id=staff_user.id, now=NOW)
    client = api(coordinator)
    assert client.get(f"/api/v1/programmes/{programme['id']}").get_json()["next_free_date"] == "2026-03-02"
    client.patch(f"/api/v1/programmes/{programme['id']}", json={"reserved": [{"target_group": GROUP, "places": 1}]})
    assert client.get(f"/api/v1/programmes/{programme['id']}").get_json()["next_free_date"] == "2026-04-01"
    client.patch(f"/api/v1/programmes/{programme['id']}", json={"reserved": []})
    assert client.get(f"/api/v1/programmes/{programme['id']}").get_json()["next_free_date"] == "2026-03-02"


# --- the booking documents ----------------------------------------------------------------------


def test_the_booking_shows_the_participants_target_group_only_to_those_who_see_the_participant(
        api, db, coordinator, staff_user):
    from tests.factories import make_user

    programme = _create(api, coordinator, capacity=3, reserved=[{"target_group": GROUP, "places": 1}])
    grouped = _request(api, staff_user, programme["id"], group=GROUP).get_json()
    plain = _request(api, staff_user, programme["id"]).get_json()
    assert grouped["participant_target_group"] == GROUP and plain["participant_target_group"] is None
    for viewer in (staff_user, coordinator):
        client = api(viewer)
        assert client.get(f"/api/v1/bookings/{grouped['id']}").get_json()["participant_target_group"] == GROUP
        items = {item["id"]: item for item in client.get("/api/v1/bookings").get_json()["items"]}
        assert items[grouped["id"]]["participant_target_group"] == GROUP
        assert items[plain["id"]]["participant_target_group"] is None
    for roles in (["manager"], ["manager", "finance"], ["manager", "district_finance"]):
        reader = make_user(db, organisation="RK", roles=roles, email=f"{'.'.join(roles)}@rk.test")
        client = api(reader)
        document = client.get(f"/api/v1/bookings/{grouped['id']}").get_json()
        assert document["ref"] == grouped["ref"] and "participant_target_group" not in document, roles
        items = client.get("/api/v1/bookings").get_json()["items"]
        assert items and all("participant_target_group" not in item for item in items), roles
        assert GROUP not in str(document) + str(items), roles
    for roles in (["finance"], ["district_finance"]):
        reader = make_user(db, organisation="RK", roles=roles, email=f"only.{roles[0]}@rk.test")
        assert api(reader).get(f"/api/v1/bookings/{grouped['id']}").status_code == 404


def test_the_openapi_document_describes_the_participants_target_group(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("BookingOut", "BookingDetailOut"):
        assert "absent, like participant" in schemas[name]["properties"]["participant_target_group"]["description"]
