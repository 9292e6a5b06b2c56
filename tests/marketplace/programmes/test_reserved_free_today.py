"""The programme page's free places today with reserved places: when the only free places are
reserved, it names them and whom they are kept for instead of saying "Fullt idag"."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

TODAY = date(2026, 3, 2)
GROUP = "young_adults"


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


def _create(api, coordinator, *, capacity: int, reserved: list, code: str = "RES-P1") -> int:
    body = {"code": code, "name": f"Reserverad {code}", "category": "outdoor_park", "capacity": capacity,
            "price": {"amount": "4500.00", "unit": "month"}, "status": "published", "reserved": reserved}
    response = api(coordinator).post("/api/v1/programmes", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


def _book(api, user, programme_id: int, *, group: str | None = None) -> None:
    body = {"programme_id": programme_id, "start_date": TODAY.isoformat(),
            "end_date": (TODAY + timedelta(days=13)).isoformat(),
            "participant": {"reference": "ÄR-1", "name": "Deltagare"},
            "assignment": {"purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter"}}
    if group:
        body["participant_target_group"] = group
    response = api(user).post("/api/v1/bookings", json=body)
    assert response.status_code == 201, response.get_data(as_text=True)


def _free_today(client, programme_id: int, heading: str = "Lediga platser idag") -> str:
    """The page's "free places today" fact as a person reads it: one line per <br>."""
    page = client.get(f"/insatser/{programme_id}").get_data(as_text=True)
    cell = re.search(rf"<dt>{heading}</dt>\s*<dd>(.*?)</dd>", page, re.S).group(1)
    lines = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in re.split(r"<br>", cell)]
    return " | ".join(line for line in lines if line)


def test_free_places_kept_for_a_target_group_are_not_shown_as_full(api, client, login, coordinator, staff_user,
                                                                    other_staff_user):
    programme = _create(api, coordinator, capacity=2, reserved=[{"target_group": GROUP, "places": 1}])
    login(staff_user)
    assert _free_today(client, programme) == "1 utan reservation | 1 reserverad för Unga vuxna 18–29 år | av 2 platser"
    _book(api, other_staff_user, programme)  # takes the unreserved place
    assert _free_today(client, programme) == "0 utan reservation | 1 reserverad för Unga vuxna 18–29 år | av 2 platser"
    client.post("/sprak/en", data={"next": "/"})
    assert _free_today(client, programme, "Free places today") == (
        "0 unreserved | 1 reserved for Young adults aged 18–29 | of 2 places")
    client.post("/sprak/sv", data={"next": "/"})
    _book(api, staff_user, programme, group=GROUP)  # and the group's own
    assert _free_today(client, programme) == "Fullt idag (0 av 2)"


def test_a_place_kept_for_the_viewers_organisation_says_so(api, client, login, coordinator, staff_user,
                                                           other_staff_user):
    programme = _create(api, coordinator, capacity=3, code="RES-P2",
                        reserved=[{"organisation": "RK", "places": 2}, {"target_group": GROUP, "places": 1}])
    _book(api, other_staff_user, programme, group=GROUP)  # ST's participant of the group uses the group's place
    login(staff_user)  # RK
    assert _free_today(client, programme) == (
        "0 utan reservation | 2 reserverade för Rinkeby-Kista stadsdelsförvaltning (din organisation) | "
        "0 reserverade för Unga vuxna 18–29 år | av 3 platser")
    page = client.get(f"/insatser/{programme}").get_data(as_text=True)
    assert "2 för Rinkeby-Kista stadsdelsförvaltning" in page  # the reservations name the organisation, not its code
    login(other_staff_user)  # ST
    assert _free_today(client, programme) == (
        "0 utan reservation | 2 reserverade för Rinkeby-Kista stadsdelsförvaltning | "
        "0 reserverade för Unga vuxna 18–29 år | av 3 platser")


def test_a_programme_without_reservations_reads_as_before(api, client, login, coordinator, staff_user):
    programme = _create(api, coordinator, capacity=1, reserved=[], code="RES-P3")
    login(staff_user)
    assert _free_today(client, programme) == "1 av 1"
    _book(api, staff_user, programme)
    assert _free_today(client, programme) == "Fullt idag (0 av 1)"


def _card(client, query: str, programme_id: int) -> str:
    """One search result card's text as a person reads it."""
    page = client.get(f"/insatser?{query}").get_data(as_text=True)
    card = re.search(rf'<article class="card programme-card" aria-labelledby="programme-{programme_id}-name">(.*?)</article>',
                     page, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card)).strip()


def test_a_search_card_does_not_call_a_programme_with_reserved_places_left_full(api, client, login, coordinator,
                                                                                 staff_user, other_staff_user):
    programme = _create(api, coordinator, capacity=1, reserved=[{"target_group": GROUP, "places": 1}])
    login(staff_user)
    card = _card(client, "q=Reserverad", programme)
    assert "Inga lediga platser utan reservation idag" in card and "Fullt idag" not in card
    assert "Ingen ledig period utan reservation" in card
    for_group = _card(client, f"q=Reserverad&participant_target_group={GROUP}", programme)
    assert "1 plats ledig idag" in for_group and "2 mars 2026" in for_group
    _book(api, other_staff_user, programme, group=GROUP)
    assert "Fullt idag" not in _card(client, "q=Reserverad", programme)  # still: no place was ever free for all
    full = _create(api, coordinator, capacity=1, reserved=[], code="RES-P2")
    _book(api, other_staff_user, full)
    assert "Fullt idag" in _card(client, "q=Reserverad", full)
