"""The full-days index (runs of full days) behind the availability filter stays equal to a recount from the rows."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from catalog.models import Programme
from marketplace.bookings import capacity, full_days
from marketplace.bookings.models import Booking
from tests.marketplace.bookings._factories import T0, _make_booking, _make_programme

D = date(2026, 3, 10)


def _day(offset: int) -> date:
    return D + timedelta(days=offset)


def _stored(db) -> set[tuple]:
    """The stored runs: {(programme_id, first_day, last_day, full_until)}."""
    table = full_days.full_run
    return {tuple(row) for row in db.execute(
        select(table.c.programme_id, table.c.first_day, table.c.last_day, table.c.full_until))}


def _stored_days(db) -> set[tuple]:
    """The stored runs as single days: {(programme_id, day, full_until)}."""
    return {(pid, first + timedelta(days=i), until) for pid, first, last, until in _stored(db)
            for i in range((last - first).days + 1)}


def _recounted(db) -> set[tuple]:
    result = set()
    for programme in db.execute(select(Programme)).scalars():
        items = [(b.start_date, b.end_date, None if b.status in full_days.FIRM_STATUSES else b.hold_expires_at)
                 for b in db.execute(select(Booking).where(Booking.programme_id == programme.id)).scalars()
                 if b.status in full_days.FIRM_STATUSES or (b.status == "requested" and b.hold_expires_at is not None)]
        result |= {(programme.id, *run) for run in full_days.full_runs_of(items, programme.capacity)}
    return result


def _available(db, from_date, to_date, now=T0):
    condition = capacity.availability_condition(from_date, to_date, now=now)
    return {row[0] for row in db.execute(select(Programme.id).where(condition))}


def _expected(db, programmes, from_date, to_date, now=T0):
    return {p.id for p in programmes
            if p.capacity > 0 and all(n < p.capacity for n in capacity.committed_by_day(db, p.id, from_date, to_date, now=now).values())}


def test_full_days_of_counts_inclusive_ends_and_dates_days_filled_by_holds():
    late, early = T0 + timedelta(days=5), T0 + timedelta(days=1)
    assert full_days.full_days_of([(_day(0), _day(2), None), (_day(2), _day(3), None)], 2) == [(_day(2), None)]
    assert full_days.full_days_of([(_day(0), _day(2), None)], 2) == []
    assert full_days.full_days_of([(_day(0), _day(0), None)], 0) == []
    # Capacity 2, one firm booking and two holds on day 1: full until the longer-lived hold expires.
    items = [(_day(0), _day(1), None), (_day(1), _day(1), early), (_day(1), _day(2), late)]
    assert full_days.full_days_of(items, 2) == [(_day(1), late)]
    # Capacity 3: needs both holds live, so full until the earlier one expires.
    assert full_days.full_days_of(items, 3) == [(_day(1), early)]


def test_full_runs_of_merges_equal_days_and_cuts_at_month_ends():
    hold = T0 + timedelta(days=2)
    items = [(_day(0), _day(4), None), (_day(5), _day(7), hold), (_day(8), _day(30), None)]
    # D is 10 March: day 21 is 31 March, day 22 is 1 April.
    assert full_days.full_runs_of(items, 1) == [(_day(0), _day(4), None), (_day(5), _day(7), hold),
                                               (_day(8), _day(21), None), (_day(22), _day(30), None)]
    assert full_days.full_runs_of(items, 1, (_day(22), date(2026, 4, 30))) == [(_day(22), _day(30), None)]
    assert full_days.full_runs_of([(_day(0), _day(3), None), (_day(5), _day(6), None)], 1) == [
        (_day(0), _day(3), None), (_day(5), _day(6), None)]


def test_index_follows_requests_approvals_cancellations_early_ends_and_capacity_changes(db, staff_user):
    programme = _make_programme(db, capacity=2)
    first = _make_booking(db, programme, status="approved", start=_day(0), end=_day(9), requester_id=staff_user.id)
    hold = T0 + timedelta(days=1)
    second = _make_booking(db, programme, status="requested", start=_day(5), end=_day(14), requester_id=staff_user.id,
                           hold_expires_at=hold)
    assert _stored(db) == {(programme.id, _day(5), _day(9), hold)}
    assert programme.id not in _available(db, _day(5), _day(5), now=T0)
    assert programme.id in _available(db, _day(5), _day(5), now=hold)  # the hold has expired: free again

    second.status = "approved"
    db.commit()
    assert _stored(db) == {(programme.id, _day(5), _day(9), None)}

    first.status, first.end_date = "ended", _day(6)  # ended early
    db.commit()
    assert _stored(db) == {(programme.id, _day(5), _day(6), None)}

    programme.capacity = 3
    db.commit()
    assert _stored(db) == set()

    programme.capacity = 1
    db.commit()
    assert _stored(db) == _recounted(db)

    second.status = "cancelled"
    db.commit()
    assert _stored(db) == _recounted(db) == {(programme.id, _day(0), _day(6), None)}
    assert _stored_days(db) == {(programme.id, _day(i), None) for i in range(0, 7)}


def test_runs_split_and_merge_where_a_change_meets_them(db, staff_user):
    programme = _make_programme(db, capacity=1)
    early, late = T0 + timedelta(hours=2), T0 + timedelta(hours=8)
    a = _make_booking(db, programme, status="approved", start=_day(0), end=_day(4), requester_id=staff_user.id)
    b = _make_booking(db, programme, status="approved", start=_day(5), end=_day(5), requester_id=staff_user.id)
    c = _make_booking(db, programme, status="approved", start=_day(6), end=_day(12), requester_id=staff_user.id)
    assert _stored(db) == {(programme.id, _day(0), _day(12), None)}  # three bookings, one run

    b.status = "cancelled"  # frees one day inside the run
    db.commit()
    assert _stored(db) == _recounted(db) == {(programme.id, _day(0), _day(4), None), (programme.id, _day(6), _day(12), None)}
    assert programme.id in _available(db, _day(5), _day(5))
    assert programme.id not in _available(db, _day(5), _day(6))

    b.status = "approved"  # fills it again: the runs join
    db.commit()
    assert _stored(db) == {(programme.id, _day(0), _day(12), None)}

    c.end_date = _day(8)  # a booking ends in the middle of the run
    db.commit()
    assert _stored(db) == _recounted(db) == {(programme.id, _day(0), _day(8), None)}

    # Holds with different expiries inside one stretch of full days: one run per expiry.
    _make_booking(db, programme, status="requested", start=_day(9), end=_day(10), requester_id=staff_user.id,
                  hold_expires_at=early)
    d = _make_booking(db, programme, status="requested", start=_day(11), end=_day(13), requester_id=staff_user.id,
                      hold_expires_at=late)
    assert _stored(db) == _recounted(db) == {(programme.id, _day(0), _day(8), None), (programme.id, _day(9), _day(10), early),
                                             (programme.id, _day(11), _day(13), late)}
    between = T0 + timedelta(hours=4)
    assert programme.id in _available(db, _day(10), _day(10), now=between)
    assert programme.id not in _available(db, _day(10), _day(11), now=between)
    assert programme.id in _available(db, _day(9), _day(13), now=late)

    d.status = "approved"  # the later hold becomes firm; the early hold still parts it from the firm run before
    db.commit()
    assert _stored(db) == _recounted(db) == {(programme.id, _day(0), _day(8), None), (programme.id, _day(9), _day(10), early),
                                             (programme.id, _day(11), _day(13), None)}
    a.end_date = _day(3)  # a change at one end leaves the other runs alone
    db.commit()
    assert _stored(db) == _recounted(db)


def test_runs_stop_at_month_ends_and_the_filter_still_finds_them(db, staff_user):
    programme = _make_programme(db, capacity=1)
    # 25 March to 10 April: two runs, one per month.
    booking = _make_booking(db, programme, status="approved", start=_day(15), end=_day(31), requester_id=staff_user.id)
    assert _stored(db) == {(programme.id, _day(15), _day(21), None), (programme.id, _day(22), _day(31), None)}
    for from_offset, to_offset in [(21, 21), (22, 22), (31, 40), (0, 15), (20, 23)]:
        assert programme.id not in _available(db, _day(from_offset), _day(to_offset))
    assert programme.id in _available(db, _day(32), _day(60))
    assert programme.id in _available(db, _day(0), _day(14))

    booking.end_date = _day(45)  # a change in April and May leaves March's run as it was
    db.commit()
    assert _stored(db) == _recounted(db)
    assert (programme.id, _day(15), _day(21), None) in _stored(db)
    assert programme.id not in _available(db, _day(44), _day(50))


def test_random_changes_keep_index_and_filter_equal_to_a_recount(db, staff_user):
    rng = random.Random(9)
    programmes = [_make_programme(db, capacity=rng.randint(0, 3)) for _ in range(8)]
    bookings = []
    statuses = ["approved", "active", "requested", "requested", "waitlisted", "ended", "cancelled", "rejected"]
    for _ in range(40):
        start = _day(rng.randint(-10, 25))
        bookings.append(_make_booking(db, rng.choice(programmes), status=rng.choice(statuses), start=start,
                                      end=start + timedelta(days=rng.randint(0, 12)), requester_id=staff_user.id,
                                      hold_expires_at=T0 + timedelta(hours=rng.choice([-1, 1, 5]))))
    for round_ in range(6):
        for booking in rng.sample(bookings, 8):
            booking.status = rng.choice(statuses)
            if rng.random() < 0.3:
                booking.end_date = booking.start_date + timedelta(days=rng.randint(0, 12))
            if rng.random() < 0.3:
                booking.hold_expires_at = T0 + timedelta(hours=rng.choice([-2, 2, 6]))
            if rng.random() < 0.1:
                booking.programme_id = rng.choice(programmes).id
        rng.choice(programmes).capacity = rng.randint(0, 3)
        if round_ == 3:
            db.delete(bookings.pop())
        db.commit()
        assert _stored(db) == _recounted(db)
        for from_offset, length in [(0, 0), (0, 6), (3, 10), (-5, 30)]:
            from_date, to_date = _day(from_offset), _day(from_offset + length)
            for now in (T0, T0 + timedelta(hours=3)):
                assert _available(db, from_date, to_date, now) == _expected(db, programmes, from_date, to_date, now)


def test_rebuild_all_gives_the_same_index(db, staff_user):
    rng = random.Random(3)
    programmes = [_make_programme(db, capacity=rng.randint(1, 2)) for _ in range(4)]
    for _ in range(15):
        start = _day(rng.randint(0, 20))
        _make_booking(db, rng.choice(programmes), status=rng.choice(["approved", "requested"]), start=start,
                      end=start + timedelta(days=rng.randint(0, 9)), requester_id=staff_user.id,
                      hold_expires_at=T0 + timedelta(hours=rng.randint(-3, 3)))
    before = _stored(db)

    with db.get_bind().begin() as connection:
        full_days.rebuild_all(connection)

    assert _stored(db) == before == _recounted(db)


def test_any_process_that_can_write_bookings_keeps_the_index_in_step():
    # A server worker imports the booking model long before any availability search; the
    # flush hook must already be registered then (it once was only after the first search).
    import subprocess
    import sys

    check = ("import sys; import marketplace.bookings.models; from sqlalchemy import event; from sqlalchemy.orm import Session; "
             "from marketplace.bookings import full_days; "
             "sys.exit(0 if event.contains(Session, 'after_flush', full_days._keep_in_step) else 1)")
    assert subprocess.run([sys.executable, "-c", check]).returncode == 0
    only_model = "import sys; import marketplace.bookings.models; sys.exit(0 if 'marketplace.bookings.full_days' in sys.modules else 1)"
    assert subprocess.run([sys.executable, "-c", only_model]).returncode == 0
