"""When can my client start: next_free_date on search results and programmes, and the start_by
filter, from the same capacity rules as a booking (runs of full days, holds, validity, min_weeks)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from marketplace.bookings.next_free import first_start
from tests.factories import make_programme
from tests.marketplace.bookings._factories import _make_booking

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


def _programme(db, name: str, *, capacity: int = 1, **fields):
    programme = make_programme(db, name=name)
    programme.capacity = capacity
    for key, value in fields.items():
        setattr(programme, key, value)
    db.commit()
    return programme


def _book(db, programme, start: date, end: date, user, **kw):
    return _make_booking(db, programme, start=start, end=end, requester_id=user.id, now=NOW, **kw)


def _items(api, user, query: str = "") -> dict[int, dict]:
    response = api(user).get(f"/api/v1/programmes?per_page=100{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"]: item for item in response.get_json()["items"]}


def test_first_start_skips_every_run_the_placement_would_meet():
    runs = [(date(2026, 3, 2), date(2026, 3, 10)), (date(2026, 3, 20), date(2026, 3, 31)), (date(2026, 4, 1), date(2026, 4, 30))]
    assert first_start([], TODAY, 28, None) == TODAY
    assert first_start(runs, TODAY, 7, None) == date(2026, 3, 11)  # 11–17 fits before the 20th
    assert first_start(runs, TODAY, 14, None) == date(2026, 5, 1)  # 11–24 meets the run from the 20th
    assert first_start(runs, TODAY, 14, date(2026, 5, 10)) is None  # would end after valid_to
    assert first_start(runs, date(2026, 3, 15), 3, None) == date(2026, 3, 15)


def test_next_free_date_on_search_results_and_the_programme(api, db, staff_user):
    free = _programme(db, "Fria laget")
    full = _programme(db, "Fulla laget", min_weeks=2)
    _book(db, full, date(2026, 3, 1), date(2026, 3, 10), staff_user)
    _book(db, full, date(2026, 3, 20), date(2026, 4, 30), staff_user)
    later = _programme(db, "Senare laget", valid_from=date(2026, 4, 6))
    ending = _programme(db, "Slutande laget", min_weeks=2, valid_to=date(2026, 3, 10))
    items = _items(api, staff_user)
    assert items[free.id]["next_free_date"] == "2026-03-02"
    assert items[full.id]["next_free_date"] == "2026-05-01"  # 11–24 March would meet the booking from the 20th
    assert items[later.id]["next_free_date"] == "2026-04-06"
    assert items[ending.id]["next_free_date"] is None
    one = api(staff_user).get(f"/api/v1/programmes/{full.id}").get_json()
    assert one["next_free_date"] == "2026-05-01"


def test_the_pages_show_when_a_participant_can_start(client, login, db, staff_user):
    full = _programme(db, "Fulla laget")
    _book(db, full, date(2026, 3, 1), date(2026, 3, 20), staff_user)
    _programme(db, "Fria laget")
    login(staff_user)
    page = client.get("/insatser?start_by=2026-03-21").get_data(as_text=True)
    assert "Kan börja" in page and "21 mars 2026" in page and "2 mars 2026" in page
    assert client.get("/insatser?start_by=2026-03-20").get_data(as_text=True).count('class="card programme-card"') == 1
    detail = client.get(f"/insatser/{full.id}").get_data(as_text=True)
    assert '<time datetime="2026-03-21">21 mars 2026</time>' in detail


def test_a_second_place_or_an_expired_hold_frees_the_days(api, db, staff_user):
    two = _programme(db, "Två platser", capacity=2)
    _book(db, two, date(2026, 3, 1), date(2026, 3, 31), staff_user)
    held = _programme(db, "Hållen plats")
    _book(db, held, date(2026, 3, 1), date(2026, 3, 31), staff_user, status="requested",
          hold_expires_at=NOW - timedelta(minutes=1))
    holding = _programme(db, "Hållande plats")
    _book(db, holding, date(2026, 3, 1), date(2026, 3, 31), staff_user, status="requested",
          hold_expires_at=NOW + timedelta(days=3))
    waiting = _programme(db, "Väntande")
    _book(db, waiting, date(2026, 3, 1), date(2026, 3, 31), staff_user, status="waitlisted")
    items = _items(api, staff_user)
    assert items[two.id]["next_free_date"] == "2026-03-02"
    assert items[held.id]["next_free_date"] == "2026-03-02"  # the hold stopped counting when it expired
    assert items[holding.id]["next_free_date"] == "2026-04-01"
    assert items[waiting.id]["next_free_date"] == "2026-03-02"  # waitlisted bookings hold nothing


def test_start_by_keeps_the_programmes_that_can_start_by_then(api, db, staff_user):
    free = _programme(db, "Fria laget")
    soon = _programme(db, "Snart ledigt")
    _book(db, soon, date(2026, 3, 1), date(2026, 3, 20), staff_user)
    late = _programme(db, "Sent ledigt", min_weeks=2)
    _book(db, late, date(2026, 3, 1), date(2026, 3, 10), staff_user)
    _book(db, late, date(2026, 3, 20), date(2026, 4, 30), staff_user)
    assert set(_items(api, staff_user, "&start_by=2026-03-02")) == {free.id}
    assert set(_items(api, staff_user, "&start_by=2026-03-21")) == {free.id, soon.id}
    assert set(_items(api, staff_user, "&start_by=2026-05-01")) == {free.id, soon.id, late.id}
    assert _items(api, staff_user, "&start_by=2026-03-01") == {}
    body = api(staff_user).get("/api/v1/programmes?start_by=2026-03-21").get_json()
    assert body["total"] == 2


@pytest.mark.parametrize("bad", ["2026-13-01", "imorgon", "2026-02-30"])
def test_a_bad_start_by_is_422_and_a_swedish_form_error(api, client, login, staff_user, bad):
    response = api(staff_user).get(f"/api/v1/programmes?start_by={bad}")
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")
    login(staff_user)
    page = client.get(f"/insatser?start_by={bad}")
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "Kan börja senast" in text and "Ange ett datum som ÅÅÅÅ-MM-DD." in text


@pytest.mark.parametrize("words", ["", "&q=form"])  # the set form, and the probe form a narrow search uses
def test_the_filter_and_the_date_agree_on_every_shape(api, db, staff_user, words):
    """For programmes of every kind, start_by = next_free_date keeps it, one day earlier drops it
    (the SQL filter and the page's computation are two forms of one rule)."""
    shapes = [
        {}, {"min_weeks": 1}, {"min_weeks": 6}, {"valid_from": date(2026, 3, 9)}, {"valid_to": date(2026, 6, 20)},
        {"capacity": 2},
    ]
    bookings = [
        [], [(date(2026, 3, 2), date(2026, 3, 8))], [(date(2026, 3, 5), date(2026, 3, 12)), (date(2026, 3, 30), date(2026, 4, 2))],
        [(date(2026, 2, 20), date(2026, 3, 31)), (date(2026, 4, 10), date(2026, 5, 31))],
    ]
    made = []
    for number, (shape, spans) in enumerate((s, b) for s in shapes for b in bookings):
        programme = _programme(db, f"Form {number:02d}", **shape)
        for start, end in spans:
            _book(db, programme, start, end, staff_user)
        made.append(programme.id)
    dates = {pid: item["next_free_date"] for pid, item in _items(api, staff_user).items() if pid in made}
    assert len(dates) == len(made) and any(d is None for d in dates.values()) and len(set(dates.values())) > 4
    for pid, day in dates.items():
        if day is None:
            assert pid not in _items(api, staff_user, f"&start_by=2027-12-31{words}")
            continue
        assert pid in _items(api, staff_user, f"&start_by={day}{words}"), (pid, day)
        earlier = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
        assert pid not in _items(api, staff_user, f"&start_by={earlier}{words}"), (pid, day)
