"""The capacity rule (DESIGN.md, Booking flow): on every date, the bookings that commit a
place never outnumber the programme's places. Reads only; no Flask, no commit.

A booking commits a place on each day of [start_date, end_date] while it is approved,
active or ended (an ended booking's end_date is its actual end), and while it is requested
with its hold not yet expired. A hold stops counting at hold_expires_at, whether or not the
expiry job has run. Waitlisted, rejected, cancelled and expired bookings commit nothing.
The caller that decides on these numbers holds the programme lock (db.lock_programme).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Date, and_, bindparam, func, literal, or_, select, union
from sqlalchemy.orm import Session, aliased

from catalog.models import Programme
from marketplace.bookings.models import Booking, BookingStatus
from marketplace.kernel.errors import Conflict

MAX_DAYS_NAMED = 31  # the 409's message names at most this many days; `days` has all of them
COMMITTED_STATUSES = (BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value, BookingStatus.ENDED.value)


def committing(booking=Booking, *, now: datetime) -> ColumnElement[bool]:
    """SQL: this booking row holds a place at `now` (pass an alias to use it in a join)."""
    return or_(
        booking.status.in_(COMMITTED_STATUSES),
        and_(booking.status == BookingStatus.REQUESTED.value, booking.hold_expires_at > now),
    )


def is_committing(booking: Booking, *, now: datetime) -> bool:
    """The same rule for a loaded row."""
    if booking.status in COMMITTED_STATUSES:
        return True
    return booking.status == BookingStatus.REQUESTED.value and booking.hold_expires_at is not None and booking.hold_expires_at > now


def _intervals_statement(excluding: bool):
    query = select(Booking.start_date, Booking.end_date).where(
        Booking.programme_id == bindparam("programme_id"),
        committing(now=bindparam("now", type_=Booking.hold_expires_at.type)),
        Booking.start_date <= bindparam("to_date", type_=Booking.start_date.type),
        Booking.end_date >= bindparam("from_date", type_=Booking.end_date.type),
    )
    return query.where(Booking.id != bindparam("exclude_booking_id")) if excluding else query


# Every capacity check runs one of these two statements, built once: building a statement and
# its cache key costs more Python than running it (marketplace/statement_cache.py).
_INTERVALS = {excluding: _intervals_statement(excluding) for excluding in (False, True)}


def _intervals(session: Session, programme_id: int, from_date: date, to_date: date, *, now: datetime,
               exclude_booking_id: int | None = None) -> list[tuple[date, date]]:
    excluding = exclude_booking_id is not None
    values = {"programme_id": programme_id, "now": now, "to_date": to_date, "from_date": from_date}
    if excluding:
        values["exclude_booking_id"] = exclude_booking_id
    return [(start, end) for start, end in session.execute(_INTERVALS[excluding], values)]


def _sweep(intervals: list[tuple[date, date]], from_date: date, to_date: date) -> dict[date, int]:
    # Difference array over the range: +1 where an interval starts, -1 the day after it ends.
    length = (to_date - from_date).days + 1
    if length <= 0:
        return {}
    delta = [0] * (length + 1)
    for start, end in intervals:
        first = max((start - from_date).days, 0)
        last = min((end - from_date).days, length - 1)
        if first <= last:
            delta[first] += 1
            delta[last + 1] -= 1
    counts: dict[date, int] = {}
    running = 0
    for offset in range(length):
        running += delta[offset]
        counts[from_date + timedelta(days=offset)] = running
    return counts


def committed_by_day(session: Session, programme_id: int, from_date: date, to_date: date, *, now: datetime,
                     exclude_booking_id: int | None = None) -> dict[date, int]:
    """Return the committed places of each day of [from_date, to_date], inclusive.

    exclude_booking_id leaves one booking out (an extension is checked against the others).
    """
    return _sweep(_intervals(session, programme_id, from_date, to_date, now=now,
                             exclude_booking_id=exclude_booking_id), from_date, to_date)


def free_places(capacity: int, committed: int) -> int:
    """Places still free: never below zero, even when capacity was lowered under what is committed."""
    return max(capacity - committed, 0)


def free_places_today(session: Session, programme_ids: list[int], *, today: date, now: datetime) -> dict[int, int]:
    """Return {programme_id: places free today} (never below zero) for the given programmes."""
    if not programme_ids:
        return {}
    rows = session.execute(
        select(Programme.id, Programme.capacity, committed_today(Programme.id, today=today, now=now))
        .where(Programme.id.in_(set(programme_ids)))
    )
    return {pid: free_places(places, committed) for pid, places, committed in rows}


def committed_today_values(*, today: date, now: datetime) -> dict[str, object]:
    """The values committed_today() binds, by parameter name."""
    return {"committed_day": today, "committed_now": now}


def committed_today(programme_id, *, today: date, now: datetime) -> ColumnElement[int]:
    """SQL: a correlated scalar subquery, the places committed today of the programme `programme_id` names.

    The one statement of "committed today": free_places_today() reads it beside capacity, and a
    statement that reads a page of programmes anyway adds it as a column.
    Its values are named parameters (committed_today_values()), so a cached statement can
    run it for another day.
    """
    values = committed_today_values(today=today, now=now)
    day = bindparam("committed_day", values["committed_day"], type_=Booking.start_date.type)
    moment = bindparam("committed_now", values["committed_now"], type_=Booking.hold_expires_at.type)
    return (
        select(func.count(Booking.id))
        .where(Booking.programme_id == programme_id, committing(now=moment), Booking.start_date <= day,
               Booking.end_date >= day)
        .correlate_except(Booking)
        .scalar_subquery()
    )


def full_programme_ids(from_date: date, to_date: date, *, now: datetime):
    """SQL: ids of programmes that have no free place on some day of [from_date, to_date].

    Occupancy only rises on a booking's start date, so the busiest day of the range is
    from_date or some committing booking's start_date inside it: count at those points only
    (no calendar table), and only for programmes that have bookings in the range.
    """
    at_start = select(Booking.programme_id.label("pid"), literal(from_date, Date).label("day")).where(
        committing(now=now), Booking.start_date <= from_date, Booking.end_date >= from_date
    )
    later = select(Booking.programme_id.label("pid"), Booking.start_date.label("day")).where(
        committing(now=now), Booking.start_date > from_date, Booking.start_date <= to_date
    )
    points = union(at_start, later).subquery("points")
    other = aliased(Booking, name="occupying")
    return (
        select(points.c.pid)
        .join(other, and_(other.programme_id == points.c.pid, committing(other, now=now),
                          other.start_date <= points.c.day, other.end_date >= points.c.day))
        .join(Programme, Programme.id == points.c.pid)
        .group_by(points.c.pid, points.c.day, Programme.capacity)
        .having(func.count(other.id) >= Programme.capacity)
    )


def availability_condition(from_date: date, to_date: date, *, now: datetime, form: str = "set",
                           target_group: str | None = None) -> ColumnElement[bool]:
    """SQL for .where() on a select of Programme: at least one place free on every day of the range.

    Answered from the full-days index (marketplace/bookings/full_days.py), exact for holds;
    full_programme_ids() above is the same rule swept over every booking (too slow at scale).
    `form` picks the SQL shape of the same rule (full_days.availability_condition).
    """
    from marketplace.bookings import full_days

    return full_days.availability_condition(from_date, to_date, now=now, form=form, target_group=target_group)


def availability_values(from_date: date, to_date: date, *, now: datetime,
                        target_group: str | None = None) -> dict[str, object]:
    """The values availability_condition() binds, by parameter name."""
    from marketplace.bookings import full_days

    return full_days.availability_values(from_date, to_date, now=now, target_group=target_group)


def free_by_day(session: Session, programme: Programme, from_date: date, to_date: date, *, now: datetime,
                target_group: str | None = None) -> dict[date, tuple[int, int]]:
    """{day: (committed, free)} over [from_date, to_date]: free for a request of no reservation,
    or with `target_group` for a participant of that group (reserved_days.py)."""
    if not programme.reserved_places:
        counts = committed_by_day(session, programme.id, from_date, to_date, now=now)
        return {day: (used, free_places(programme.capacity, used)) for day, used in counts.items()}
    from marketplace.bookings import reserved_days

    pools = reserved_days.pools_of(session, programme.id, programme.capacity)
    pool = pools.pool_of(None, target_group)
    by_day = reserved_days.counts_by_day(session, programme.id, pools, from_date, to_date, now=now)
    return {day: (sum(counts.values()), pools.free(counts, pool)) for day, counts in by_day.items()}


def reserved_free_today(session: Session, programmes, *, today: date, now: datetime,
                        target_group: str | None = None) -> dict[int, int]:
    """{programme id: places free today} for programmes that reserve places: the unreserved ones,
    and with `target_group` also that group's reservation (reserved_days.py)."""
    result = {}
    for programme in programmes:
        pools, counts = _pools_today(session, programme, today=today, now=now)
        result[programme.id] = pools.free(counts, pools.pool_of(None, target_group))
    return result


def _pools_today(session: Session, programme: Programme, *, today: date, now: datetime):
    """(the programme's pools, the places each pool's requests take today) (reserved_days.py)."""
    from marketplace.bookings import reserved_days

    pools = reserved_days.pools_of(session, programme.id, programme.capacity)
    return pools, reserved_days.counts_by_day(session, programme.id, pools, today, today, now=now).get(today, {})


@dataclass(frozen=True)
class ReservedToday:
    """One reservation of a programme and the places free today only for its requests."""

    target_group: str | None
    organisation_id: int | None
    places: int
    free: int


def free_today_by_reservation(session: Session, programme: Programme, *, today: date,
                              now: datetime) -> tuple[int, list[ReservedToday]]:
    """(places free today for a request of no reservation, [each reservation with the places free
    today only for its requests]), so a page can say why a programme is not full for everyone.

    A request of a reservation may take its own free places and the unreserved ones
    (reserved_days.py): what it finds beyond a request of no reservation is its own share."""
    if not programme.reserved_places:
        return free_places_today(session, [programme.id], today=today, now=now).get(programme.id, 0), []
    pools, counts = _pools_today(session, programme, today=today, now=now)
    unreserved = pools.free(counts, None)
    return unreserved, [ReservedToday(r.target_group, r.organisation_id, r.places, pools.free(counts, r.id) - unreserved)
                        for r in pools.reservations]


def next_free_dates(session: Session, programmes, *, today: date, now: datetime, target_group: str | None = None,
                    known: dict | None = None) -> dict[int, date | None]:
    """{programme id: the first day a placement of min_weeks (or four weeks) finds a place} (next_free.py)."""
    from marketplace.bookings import next_free

    return next_free.next_free_dates(session, programmes, today=today, now=now, target_group=target_group, known=known)


def with_stored_next_free(query, programme_id):
    """`query` with two more columns: the programme's stored next free date and whether it is
    fresh (next_free_index.py), bound by stored_next_free_values()."""
    from marketplace.bookings import next_free_index

    return next_free_index.with_stored_answer(query, programme_id)


def stored_next_free_values(*, now: datetime) -> dict[str, object]:
    from marketplace.bookings import next_free_index

    return next_free_index.stored_answer_values(now=now)


def start_by_condition(start_by: date, *, today: date, now: datetime, target_group: str | None = None) -> ColumnElement[bool]:
    """SQL for .where() on a select of Programme: its next free date is on or before `start_by`."""
    from marketplace.bookings import next_free

    return next_free.start_by_condition(start_by, today=today, now=now, target_group=target_group)


def start_by_values(start_by: date, *, today: date, now: datetime, target_group: str | None = None) -> dict[str, object]:
    """The values start_by_condition() binds, by parameter name."""
    from marketplace.bookings import next_free

    return next_free.start_by_values(start_by, today=today, now=now, target_group=target_group)


def first_full_day(session: Session, programme_id: int, capacity: int, from_date: date, to_date: date, *,
                   now: datetime, exclude_booking_id: int | None = None) -> date | None:
    """The first day of the range on which one more booking would exceed capacity, or None."""
    counts = committed_by_day(session, programme_id, from_date, to_date, now=now, exclude_booking_id=exclude_booking_id)
    for day, count in counts.items():
        if count >= capacity:
            return day
    return None


def claim_of(booking: Booking) -> dict[str, object]:
    """Who a booking's places are counted for: its buyer and its participant's target group."""
    return {"buyer_organisation_id": booking.buyer_organisation_id, "target_group": booking.participant_target_group}


def first_unfree_day(session: Session, programme: Programme, from_date: date, to_date: date, *, now: datetime,
                     buyer_organisation_id: int | None, target_group: str | None,
                     exclude_booking_id: int | None = None) -> date | None:
    """The first day of the range on which this request finds no place, or None.

    A programme without reservations: first_full_day() (capacity alone). With reservations, a
    request may use the places reserved for its buyer or its participant's target group and
    the unreserved ones (reserved_days.py). Call it under the programme lock, as first_full_day().
    """
    if not programme.reserved_places:
        return first_full_day(session, programme.id, programme.capacity, from_date, to_date, now=now,
                              exclude_booking_id=exclude_booking_id)
    from marketplace.bookings import reserved_days

    return reserved_days.first_unfree_day(session, programme, from_date, to_date, now=now,
                                          buyer_organisation_id=buyer_organisation_id, target_group=target_group,
                                          exclude_booking_id=exclude_booking_id)


def check_capacity_floor(session: Session, programme_id: int, new_capacity: int, *, today: date, now: datetime) -> None:
    """Refuse a capacity lower than what is committed on any day from today on.

    Raises Conflict(code="capacity_below_committed", days=[ISO dates]). Call it under the
    programme lock, in the transaction that writes the new capacity.
    """
    last_end = session.execute(
        select(func.max(Booking.end_date)).where(
            Booking.programme_id == programme_id, committing(now=now), Booking.end_date >= today)
    ).scalar()
    if last_end is None:
        return
    counts = committed_by_day(session, programme_id, today, last_end, now=now)
    days = [day.isoformat() for day, count in counts.items() if count > new_capacity]
    if days:
        shown = ", ".join(days[:MAX_DAYS_NAMED]) + (f" and {len(days) - MAX_DAYS_NAMED} more" if len(days) > MAX_DAYS_NAMED else "")
        raise Conflict(
            f"Capacity {new_capacity} is below the places already committed on {len(days)} day(s): {shown}.",
            code="capacity_below_committed",
            field="capacity",
            days=days,
        )
