"""Reserved places (quotas), counted per day like capacity. Reads only; no Flask, no commit.

A programme may keep places for one target group or one buying organisation
(catalog.models.ProgrammeReservation). Every committing booking (capacity.py's rule) counts
in one pool: the reservation of its buying organisation if the programme has one, else the
reservation of its participant's target group, else the unreserved pool. On every day:

- the bookings of a reservation use its places first; those beyond them use unreserved places;
- the unreserved places (capacity minus every reservation) are used by the bookings of no
  reservation and by those overflowing their reservation;
- so a request of no reservation finds a place when an unreserved place is left, and a
  request of a reservation when its reservation or an unreserved place is left (and never
  beyond capacity).

The caller that decides on these numbers holds the programme lock (db.lock_programme), as
for capacity: the check and the insert are one transaction, serialised per programme.

The full-days index (full_days.py) keeps, for a programme with reservations, the days on
which a request of no reservation finds no place; programme_reserved_full_run keeps the
same per reservation (the days on which its requests find no place), in the same run form,
so the catalogue's availability filter and the next free date can answer for a target group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Column, Date, Index, Integer, MetaData, PrimaryKeyConstraint, Table, and_, bindparam, select

from catalog.models import Programme, ProgrammeReservation
from catalog.types import UTCDateTime
from marketplace.bookings.models import Booking

# Own metadata: created by migration 0021 (full_days.metadata is created by 0009 as a whole).
metadata = MetaData()
reserved_full_run = Table(
    "programme_reserved_full_run",
    metadata,
    Column("programme_id", Integer, nullable=False),
    Column("reservation_id", Integer, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("full_until", UTCDateTime, nullable=True),
    PrimaryKeyConstraint("reservation_id", "first_day", postgresql_include=["last_day", "full_until"]),
    Index("ix_programme_reserved_full_run_programme", "programme_id", "first_day"),
    sqlite_with_rowid=False,
)

Pool = int | None  # a reservation's id, or None: the unreserved places
Run = tuple[date, date, datetime | None]


@dataclass(frozen=True)
class Reserved:
    id: int
    target_group: str | None
    organisation_id: int | None
    places: int


@dataclass(frozen=True)
class Pools:
    """A programme's capacity and reservations: which pool a booking counts in, what is free."""

    capacity: int
    reservations: tuple[Reserved, ...] = ()

    @property
    def unreserved(self) -> int:
        return max(self.capacity - sum(r.places for r in self.reservations), 0)

    def pool_of(self, buyer_organisation_id: int | None, target_group: str | None) -> Pool:
        """The reservation a request counts in: its buying organisation's, else its target group's."""
        for reservation in self.reservations:
            if reservation.organisation_id is not None and reservation.organisation_id == buyer_organisation_id:
                return reservation.id
        for reservation in self.reservations:
            if target_group and reservation.target_group == target_group:
                return reservation.id
        return None

    def free(self, counts: dict[Pool, int], pool: Pool) -> int:
        """Places a request of `pool` may still take on a day with these committed counts per pool."""
        total = sum(counts.values())
        used = counts.get(None, 0) + sum(max(counts.get(r.id, 0) - r.places, 0) for r in self.reservations)
        room = max(self.unreserved - used, 0)
        if pool is not None:
            room += next((max(r.places - counts.get(r.id, 0), 0) for r in self.reservations if r.id == pool), 0)
        return max(min(room, self.capacity - total), 0)


_RESERVATIONS = (select(ProgrammeReservation.id, ProgrammeReservation.target_group_code,
                        ProgrammeReservation.organisation_id, ProgrammeReservation.places)
                 .where(ProgrammeReservation.programme_id == bindparam("programme_id"))
                 .order_by(ProgrammeReservation.id))


def pools_of(session, programme_id: int, capacity: int) -> Pools:
    """The programme's pools (`session` may be a Session or a Connection)."""
    rows = session.execute(_RESERVATIONS, {"programme_id": programme_id}).all()
    return Pools(capacity, tuple(Reserved(*row) for row in rows))


def _intervals_statement(excluding: bool):
    from marketplace.bookings.capacity import committing

    query = select(Booking.start_date, Booking.end_date, Booking.buyer_organisation_id,
                   Booking.participant_target_group).where(
        Booking.programme_id == bindparam("programme_id"),
        committing(now=bindparam("now", type_=Booking.hold_expires_at.type)),
        Booking.start_date <= bindparam("to_date", type_=Booking.start_date.type),
        Booking.end_date >= bindparam("from_date", type_=Booking.end_date.type),
    )
    return query.where(Booking.id != bindparam("exclude_booking_id")) if excluding else query


_INTERVALS = {excluding: _intervals_statement(excluding) for excluding in (False, True)}


def counts_by_day(session, programme_id: int, pools: Pools, from_date: date, to_date: date, *, now: datetime,
                  exclude_booking_id: int | None = None) -> dict[date, dict[Pool, int]]:
    """{day: {pool: committed bookings}} for every day of [from_date, to_date]."""
    values = {"programme_id": programme_id, "now": now, "to_date": to_date, "from_date": from_date}
    if exclude_booking_id is not None:
        values["exclude_booking_id"] = exclude_booking_id
    rows = session.execute(_INTERVALS[exclude_booking_id is not None], values).all()
    length = (to_date - from_date).days + 1
    if length <= 0:
        return {}
    deltas: dict[Pool, list[int]] = {}
    for start, end, buyer, group in rows:
        delta = deltas.setdefault(pools.pool_of(buyer, group), [0] * (length + 1))
        first, last = max((start - from_date).days, 0), min((end - from_date).days, length - 1)
        if first <= last:
            delta[first] += 1
            delta[last + 1] -= 1
    running = {pool: 0 for pool in deltas}
    result: dict[date, dict[Pool, int]] = {}
    for offset in range(length):
        for pool, delta in deltas.items():
            running[pool] += delta[offset]
        result[from_date + timedelta(days=offset)] = dict(running)
    return result


def first_unfree_day(session, programme: Programme, from_date: date, to_date: date, *, now: datetime,
                     buyer_organisation_id: int | None, target_group: str | None,
                     exclude_booking_id: int | None = None) -> date | None:
    """The first day of the range on which this request (its buyer, its participant's target group)
    finds no place, counting reservations; None when every day has one."""
    pools = pools_of(session, programme.id, programme.capacity)
    pool = pools.pool_of(buyer_organisation_id, target_group)
    counts = counts_by_day(session, programme.id, pools, from_date, to_date, now=now,
                           exclude_booking_id=exclude_booking_id)
    return next((day for day, by_pool in counts.items() if pools.free(by_pool, pool) <= 0), None)


def free_on(session, programme: Programme, day: date, *, now: datetime, pool: Pool = None) -> int:
    """Places a request of `pool` (None: of no reservation) may take on `day`."""
    pools = pools_of(session, programme.id, programme.capacity)
    return pools.free(counts_by_day(session, programme.id, pools, day, day, now=now).get(day, {}), pool)


# --- the full-days index per pool -------------------------------------------------------------


def full_days_by_pool(items: Iterable[tuple], pools: Pools,
                      window: tuple[date, date] | None = None) -> dict[Pool, list[tuple[date, datetime | None]]]:
    """{pool: [(day, full_until)]} for bookings given as (start, end, hold_expires_at or None when
    firm, pool): the days on which a request of that pool finds no place, for ever (None) or
    until the hold whose expiry frees one. The unreserved pool is left out when there are no
    unreserved places (the catalogue's condition excludes such programmes outright)."""
    items = [(max(s, window[0]), min(e, window[1]), h, p) if window else (s, e, h, p) for s, e, h, p in items]
    items = [item for item in items if item[0] <= item[1]]
    views: list[Pool] = ([None] if pools.unreserved > 0 else []) + [r.id for r in pools.reservations]
    result: dict[Pool, list[tuple[date, datetime | None]]] = {view: [] for view in views}
    if not items or pools.capacity <= 0:
        return result
    by_day: dict[date, list[tuple[Pool, datetime | None]]] = {}
    for start, end, hold, pool in items:
        for offset in range((end - start).days + 1):
            by_day.setdefault(start + timedelta(days=offset), []).append((pool, hold))
    for day in sorted(by_day):
        bookings = by_day[day]
        counts: dict[Pool, int] = {}
        for pool, _hold in bookings:
            counts[pool] = counts.get(pool, 0) + 1
        holds = sorted(((hold, pool) for pool, hold in bookings if hold is not None), key=lambda item: item[0])
        for view in views:
            if pools.free(counts, view) > 0:
                continue
            live = dict(counts)
            until = None
            for hold, pool in holds:  # the earliest expiry first: when does a place free up?
                live[pool] -= 1
                if pools.free(live, view) > 0:
                    until = hold
                    break
            result[view].append((day, until))
    return result


def as_runs(days: list[tuple[date, datetime | None]]) -> list[Run]:
    """Days as runs of consecutive days with the same full_until, cut at month ends (full_days.py's form)."""
    runs: list[list] = []
    for day, until in days:
        last = runs[-1] if runs else None
        if last is not None and last[1] + timedelta(days=1) == day and last[2] == until and day.day != 1:
            last[1] = day
        else:
            runs.append([day, day, until])
    return [(first, last, until) for first, last, until in runs]


_BOOKINGS_IN = {}


def _bookings_in(windowed: bool):
    from marketplace.bookings.full_days import FIRM_STATUSES, REQUESTED
    from sqlalchemy import or_

    query = select(Booking.start_date, Booking.end_date, Booking.status, Booking.hold_expires_at,
                   Booking.buyer_organisation_id, Booking.participant_target_group).where(
        Booking.programme_id == bindparam("programme_id"),
        or_(Booking.status.in_(FIRM_STATUSES), and_(Booking.status == REQUESTED, Booking.hold_expires_at.is_not(None))),
    )
    if windowed:
        query = query.where(Booking.start_date <= bindparam("window_end", type_=Date),
                            Booking.end_date >= bindparam("window_start", type_=Date))
    return query


def runs_by_pool(session, programme_id: int, capacity: int,
                 window: tuple[date, date] | None) -> tuple[list[Run], dict[int, list[Run]]]:
    """(runs full for a request of no reservation, {reservation id: runs full for its requests})
    inside `window` (None: every day), from the booking rows. `session`: a Session or a Connection."""
    from marketplace.bookings.full_days import FIRM_STATUSES

    windowed = window is not None
    if windowed not in _BOOKINGS_IN:
        _BOOKINGS_IN[windowed] = _bookings_in(windowed)
    values: dict[str, object] = {"programme_id": programme_id}
    if windowed:
        values.update(window_start=window[0], window_end=window[1])
    pools = pools_of(session, programme_id, capacity)
    items = [(start, end, None if status in FIRM_STATUSES else hold, pools.pool_of(buyer, group))
             for start, end, status, hold, buyer, group in session.execute(_BOOKINGS_IN[windowed], values)]
    days = full_days_by_pool(items, pools, window)
    generic = as_runs(days.pop(None, []))
    return generic, {reservation: as_runs(found) for reservation, found in days.items()}


def reserved_rows(programme_id: int, by_reservation: dict[int, list[Run]]) -> list[dict]:
    return [{"programme_id": programme_id, "reservation_id": reservation, "first_day": first, "last_day": last,
             "full_until": until}
            for reservation, runs in sorted(by_reservation.items()) for first, last, until in runs]
