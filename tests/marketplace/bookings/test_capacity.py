"""Per-day capacity: which bookings commit a place on which day, and the SQL filter."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from catalog.models import Programme
from marketplace.bookings import capacity
from marketplace.kernel.errors import Conflict
from tests.marketplace.bookings._factories import T0, _make_booking, _make_programme

D = date(2026, 3, 10)


def _day(offset: int) -> date:
    return D + timedelta(days=offset)


def test_overlapping_bookings_are_counted_on_each_day_they_share(db, staff_user):
    programme = _make_programme(db, capacity=3)
    _make_booking(db, programme, start=_day(0), end=_day(4), requester_id=staff_user.id)
    _make_booking(db, programme, status="active", start=_day(2), end=_day(6), requester_id=staff_user.id)
    _make_booking(db, programme, status="requested", start=_day(4), end=_day(4), requester_id=staff_user.id)

    counts = capacity.committed_by_day(db, programme.id, _day(-1), _day(7), now=T0)

    assert [counts[_day(i)] for i in range(-1, 8)] == [0, 1, 1, 2, 2, 3, 1, 1, 0]


def test_waitlisted_rejected_cancelled_and_expired_bookings_commit_nothing(db, staff_user):
    programme = _make_programme(db, capacity=1)
    for status in ("waitlisted", "rejected", "cancelled", "expired"):
        _make_booking(db, programme, status=status, requester_id=staff_user.id)

    counts = capacity.committed_by_day(db, programme.id, _day(0), _day(3), now=T0)

    assert set(counts.values()) == {0}


def test_a_hold_stops_counting_at_its_expiry_time_before_any_job_runs(db, staff_user):
    programme = _make_programme(db, capacity=1)
    expiry = T0 + timedelta(days=10)
    _make_booking(db, programme, status="requested", hold_expires_at=expiry, requester_id=staff_user.id)

    before = capacity.committed_by_day(db, programme.id, _day(0), _day(0), now=expiry - timedelta(seconds=1))
    at = capacity.committed_by_day(db, programme.id, _day(0), _day(0), now=expiry)

    assert before[_day(0)] == 1
    assert at[_day(0)] == 0
    assert db.execute(select(Programme).where(
        Programme.id == programme.id, capacity.availability_condition(_day(0), _day(0), now=expiry))).first()


def test_an_ended_booking_occupies_only_up_to_its_actual_end_date(db, staff_user):
    programme = _make_programme(db, capacity=1)
    _make_booking(db, programme, status="ended", start=_day(0), end=_day(2), requester_id=staff_user.id)

    counts = capacity.committed_by_day(db, programme.id, _day(0), _day(4), now=T0)

    assert [counts[_day(i)] for i in range(5)] == [1, 1, 1, 0, 0]


def test_free_places_today_counts_only_bookings_that_cover_today(db, staff_user):
    busy = _make_programme(db, capacity=2)
    empty = _make_programme(db, capacity=4)
    overfull = _make_programme(db, capacity=1)
    _make_booking(db, busy, start=_day(0), end=_day(5), requester_id=staff_user.id)
    _make_booking(db, busy, start=_day(6), end=_day(9), requester_id=staff_user.id)
    _make_booking(db, overfull, start=_day(0), end=_day(5), requester_id=staff_user.id)
    _make_booking(db, overfull, start=_day(0), end=_day(5), requester_id=staff_user.id)

    free = capacity.free_places_today(db, [busy.id, empty.id, overfull.id, 999_999], today=_day(3), now=T0)

    assert free == {busy.id: 1, empty.id: 4, overfull.id: 0}


def _available_ids(db, from_date, to_date, now=T0):
    rows = db.execute(select(Programme.id).where(capacity.availability_condition(from_date, to_date, now=now)))
    return {row[0] for row in rows}


def test_availability_filter_excludes_a_programme_full_on_a_day_inside_the_range(db, staff_user):
    full_later = _make_programme(db, capacity=1)
    _make_booking(db, full_later, start=_day(5), end=_day(6), requester_id=staff_user.id)
    full_at_start = _make_programme(db, capacity=2)
    _make_booking(db, full_at_start, start=_day(-3), end=_day(1), requester_id=staff_user.id)
    _make_booking(db, full_at_start, start=_day(-1), end=_day(0), requester_id=staff_user.id)
    free = _make_programme(db, capacity=2)
    _make_booking(db, free, start=_day(0), end=_day(2), requester_id=staff_user.id)
    _make_booking(db, free, start=_day(3), end=_day(9), requester_id=staff_user.id)
    no_places = _make_programme(db, capacity=0)

    assert _available_ids(db, _day(0), _day(9)) == {free.id}
    assert _available_ids(db, _day(7), _day(9)) == {full_at_start.id, free.id, full_later.id}
    assert no_places.id not in _available_ids(db, _day(20), _day(21))


def test_availability_filter_agrees_with_the_per_day_count_on_random_bookings(db, staff_user):
    rng = random.Random(4)
    programmes = [_make_programme(db, capacity=rng.randint(1, 3)) for _ in range(12)]
    statuses = ["approved", "active", "requested", "waitlisted", "ended", "cancelled"]
    for programme in programmes:
        for _ in range(rng.randint(0, 5)):
            start = _day(rng.randint(-10, 25))
            _make_booking(db, programme, status=rng.choice(statuses), start=start,
                          end=start + timedelta(days=rng.randint(0, 12)), requester_id=staff_user.id,
                          hold_expires_at=T0 + timedelta(hours=rng.choice([-1, 1])))
    for from_offset, length in [(0, 0), (0, 6), (3, 10), (-5, 30), (12, 4)]:
        from_date, to_date = _day(from_offset), _day(from_offset + length)
        expected = {
            p.id for p in programmes
            if all(count < p.capacity for count in capacity.committed_by_day(db, p.id, from_date, to_date, now=T0).values())
        }
        assert _available_ids(db, from_date, to_date) == expected


def test_lowering_capacity_below_a_future_commitment_names_the_days(db, staff_user):
    programme = _make_programme(db, capacity=3)
    _make_booking(db, programme, start=_day(0), end=_day(5), requester_id=staff_user.id)
    _make_booking(db, programme, start=_day(4), end=_day(8), requester_id=staff_user.id)
    _make_booking(db, programme, status="ended", start=_day(-20), end=_day(-10), requester_id=staff_user.id)
    _make_booking(db, programme, status="ended", start=_day(-20), end=_day(-10), requester_id=staff_user.id)

    with pytest.raises(Conflict) as raised:
        capacity.check_capacity_floor(db, programme.id, 1, today=_day(1), now=T0)

    assert raised.value.code == "capacity_below_committed"
    assert raised.value.params["days"] == [_day(4).isoformat(), _day(5).isoformat()]
    assert f"{_day(4).isoformat()}, {_day(5).isoformat()}" in raised.value.message
    capacity.check_capacity_floor(db, programme.id, 2, today=_day(1), now=T0)
    capacity.check_capacity_floor(db, programme.id, 0, today=_day(9), now=T0)
