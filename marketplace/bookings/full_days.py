"""The full-days index: for each programme, the days on which committing bookings take every
place, and until when. It makes the catalogue's availability filter one anti-join on an
index instead of a sweep over every booking of every programme (benchmarks/RESULTS.md).

A day is full for ever (full_until NULL) when approved, active and ended bookings alone
fill it, or until `full_until` when requested bookings' holds help fill it. The index stores
runs, not days: a row (programme, first_day, last_day, full_until) stands for consecutive
full days with the same full_until, so a four-week search range meets a few rows per full
programme instead of one per day (one per day meant ≈ 77 000 rows at 100 000 programmes). A run never
crosses a calendar month: the stored form then depends only on each month's days (a change
recomputes whole months and nothing else), and a run overlapping a range's first day starts
no earlier than that day's month, which bounds the overlap test on the first_day indexes.

A hold stops counting the moment it expires (DESIGN.md), so a day filled with holds is full
only while enough of them are live: full_until is the expiry of the m-th longest-lived hold
on that day, m being the places the firm bookings leave. No job has to run for the row to
stop counting.

It is derived data, recomputed from the booking rows, never edited by hand:
- an ORM flush hook refreshes the affected days of a programme whenever one of its
  bookings is added, deleted, or changes status, dates or hold, and all of its days when
  its capacity changes; the refresh runs in the same transaction, under the programme
  lock the use case already holds (every use case, job and test factory keeps it true);
- rebuild_all() recomputes everything, after a bulk load that bypasses the ORM.
Whenever a programme's runs are rewritten, its stored next free date is invalidated in the
same transaction (next_free_index.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Literal

from sqlalchemy import (Column, Date, Index, Integer, MetaData, PrimaryKeyConstraint, Table, and_, bindparam, delete,
                        event, insert, literal, or_, select, union_all)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from catalog.models import Programme, ProgrammeReservation
from catalog.types import UTCDateTime
from marketplace.bookings import next_free_index, reserved_days
from marketplace.bookings.models import Booking, BookingStatus

# Own metadata: the table is created by the hand-written migration 0009_full_runs, so the
# generated initial revision never sees it. The primary key serves the per-programme probe
# (covering: INCLUDE on PostgreSQL, a WITHOUT ROWID table on SQLite); the second index the
# set form, both as a range on first_day.
metadata = MetaData()
full_run = Table(
    "programme_full_run",
    metadata,
    Column("programme_id", Integer, nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("full_until", UTCDateTime, nullable=True),
    PrimaryKeyConstraint("programme_id", "first_day", postgresql_include=["last_day", "full_until"]),
    Index("ix_programme_full_run_first_day", "first_day", "last_day", "full_until", "programme_id"),
    sqlite_with_rowid=False,
)

FIRM_STATUSES = (BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value, BookingStatus.ENDED.value)
REQUESTED = BookingStatus.REQUESTED.value
_RELEVANT = frozenset(FIRM_STATUSES) | {REQUESTED}
_WATCHED = ("status", "start_date", "end_date", "programme_id", "hold_expires_at", "buyer_organisation_id",
            "participant_target_group")

Window = tuple[date, date] | None  # None: every day
Run = tuple[date, date, datetime | None]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def full_days_of(items: Iterable[tuple], capacity: int, window: Window = None) -> list[tuple[date, datetime | None]]:
    """[(day, full_until)] for bookings given as (start, end, hold_expires_at or None when firm).

    Only days inside `window` are returned (and only bookings' days inside it counted).
    """
    items = [(max(s, window[0]), min(e, window[1]), h) if window else (s, e, h) for s, e, h in items]
    items = [item for item in items if item[0] <= item[1]]
    if capacity <= 0 or len(items) < capacity:
        return []
    first = min(item[0] for item in items)
    length = (max(item[1] for item in items) - first).days + 1
    firm = [0] * (length + 1)
    held = [0] * (length + 1)
    holds = []
    for start, end, expires in items:
        counter = held if expires is not None else firm
        counter[(start - first).days] += 1
        counter[(end - first).days + 1] -= 1
        if expires is not None:
            holds.append(((start - first).days, (end - first).days, expires))
    result: list[tuple[date, datetime | None]] = []
    firm_now = held_now = 0
    for offset in range(length):
        firm_now += firm[offset]
        held_now += held[offset]
        if firm_now >= capacity:
            result.append((first + timedelta(days=offset), None))
        elif firm_now + held_now >= capacity:
            needed = capacity - firm_now  # live holds the day needs to stay full
            expiries = sorted((h for a, b, h in holds if a <= offset <= b), reverse=True)
            result.append((first + timedelta(days=offset), expiries[needed - 1]))
    return result


def full_runs_of(items: Iterable[tuple], capacity: int, window: Window = None) -> list[Run]:
    """full_days_of() as runs [(first_day, last_day, full_until)]: consecutive days with the same
    full_until, cut at month ends. Inside a window of whole months this is exactly the part of
    the unwindowed answer that falls in those months."""
    runs: list[list] = []
    for day, until in full_days_of(items, capacity, window):
        last = runs[-1] if runs else None
        if last is not None and last[1] + timedelta(days=1) == day and last[2] == until and day.day != 1:
            last[1] = day
        else:
            runs.append([day, day, until])
    return [(first, last, until) for first, last, until in runs]


def _merge(windows: dict[int, Window], programme_id: int | None, window: Window) -> None:
    """Widen the programme's window to cover `window` (None stays None: every day)."""
    if programme_id is None:
        return
    if programme_id not in windows:
        windows[programme_id] = window
        return
    old = windows[programme_id]
    windows[programme_id] = None if old is None or window is None else (min(old[0], window[0]), max(old[1], window[1]))


def refresh(session: Session, windows: dict[int, Window], *, grown_only: frozenset[int] = frozenset(),
            reservations_changed: frozenset[int] = frozenset()) -> None:
    """Recompute the runs of these programmes inside each window (None: all days) from the bookings.

    The window is widened to whole months: runs never cross a month's end, so the runs of
    those months are replaced and every other run stays as it was. For programmes in
    `grown_only` the flush only added bookings, which can fill days but never free one: if
    the window then has no full day, it had none before either, and nothing is written (the
    common case of a new request: one SELECT, no write).

    A programme with reservations (Programme.reserved_places) keeps here the days full for a
    request of no reservation, and per reservation the days full for its requests
    (reserved_days.py); `reservations_changed` names programmes whose reservations changed,
    whose per-reservation runs are all dropped first.
    """
    rewritten: list[int] = []
    for programme_id, window in sorted(windows.items()):
        programme = session.get(Programme, programme_id)  # usually in the identity map already
        capacity = programme.capacity if programme is not None else 0
        values: dict[str, object] = {"programme_id": programme_id}
        windowed = window is not None
        if windowed:
            window = (_month_start(window[0]), _month_end(window[1]))
            values.update(window_start=window[0], window_end=window[1])
        if programme_id in reservations_changed:
            session.execute(_DROP_RESERVED_RUNS_IN[False], values)
        if programme is not None and programme.reserved_places:
            generic, by_reservation = reserved_days.runs_by_pool(session, programme_id, capacity or 0, window)
            session.execute(_DROP_RUNS_IN[windowed], values)
            session.execute(_DROP_RESERVED_RUNS_IN[windowed], values)
            if generic:
                session.execute(insert(full_run), [{"programme_id": programme_id, "first_day": first, "last_day": last,
                                                    "full_until": until} for first, last, until in generic])
            if reserved := reserved_days.reserved_rows(programme_id, by_reservation):
                session.execute(insert(reserved_days.reserved_full_run), reserved)
            rewritten.append(programme_id)
            continue
        items = [(s, e, None if status in FIRM_STATUSES else hold)
                 for s, e, status, hold in session.execute(_BOOKINGS_IN[windowed], values)]
        rows = [{"programme_id": programme_id, "first_day": first, "last_day": last, "full_until": until}
                for first, last, until in full_runs_of(items, capacity or 0, window)]
        if not rows and programme_id in grown_only:
            continue
        session.execute(_DROP_RUNS_IN[windowed], values)
        if rows:
            session.execute(insert(full_run), rows)
        rewritten.append(programme_id)
    next_free_index.invalidate(session, rewritten)


def _bookings_in(windowed: bool):
    """The bookings that can fill a day of one programme (inside the window, when there is one)."""
    query = select(Booking.start_date, Booking.end_date, Booking.status, Booking.hold_expires_at).where(
        Booking.programme_id == bindparam("programme_id"),
        or_(Booking.status.in_(FIRM_STATUSES), and_(Booking.status == REQUESTED, Booking.hold_expires_at.is_not(None))),
    )
    if windowed:
        query = query.where(Booking.start_date <= bindparam("window_end", type_=Date),
                            Booking.end_date >= bindparam("window_start", type_=Date))
    return query


def _drop_runs_in(windowed: bool):
    drop = delete(full_run).where(full_run.c.programme_id == bindparam("programme_id"))
    if windowed:
        drop = drop.where(full_run.c.first_day >= bindparam("window_start", type_=Date),
                          full_run.c.first_day <= bindparam("window_end", type_=Date))
    return drop


def _drop_reserved_runs_in(windowed: bool):
    table = reserved_days.reserved_full_run
    drop = delete(table).where(table.c.programme_id == bindparam("programme_id"))
    if windowed:
        drop = drop.where(table.c.first_day >= bindparam("window_start", type_=Date),
                          table.c.first_day <= bindparam("window_end", type_=Date))
    return drop


# Built once, run with each refresh's values: every booking request refreshes (marketplace/statement_cache.py).
_BOOKINGS_IN = {windowed: _bookings_in(windowed) for windowed in (False, True)}
_DROP_RUNS_IN = {windowed: _drop_runs_in(windowed) for windowed in (False, True)}
_DROP_RESERVED_RUNS_IN = {windowed: _drop_reserved_runs_in(windowed) for windowed in (False, True)}


def rebuild_all(connection) -> int:
    """Recompute the whole index (after a bulk import); returns the number of rows (runs)."""
    # Migration 0009 runs this before reservations exist (0021): then every programme counts capacity alone.
    with_reservations = "programme_reserved_full_run" in sa_inspect(connection).get_table_names()
    reserved_column = Programme.reserved_places if with_reservations else literal(0)
    capacities, reserving = {}, []
    for programme_id, places, reserved in connection.execute(select(Programme.id, Programme.capacity, reserved_column)):
        capacities[programme_id] = places
        if reserved:
            reserving.append(programme_id)
    connection.execute(delete(full_run))
    if with_reservations:
        connection.execute(delete(reserved_days.reserved_full_run))
    total, batch = 0, []
    current, items = None, []
    reserving_set = frozenset(reserving)

    def finish() -> None:
        if current is not None and current not in reserving_set:
            batch.extend({"programme_id": current, "first_day": first, "last_day": last, "full_until": until}
                         for first, last, until in full_runs_of(items, capacities.get(current, 0)))

    rows = connection.execute(
        select(Booking.programme_id, Booking.start_date, Booking.end_date, Booking.status, Booking.hold_expires_at)
        .where(or_(Booking.status.in_(FIRM_STATUSES), and_(Booking.status == REQUESTED, Booking.hold_expires_at.is_not(None))))
        .order_by(Booking.programme_id)
        .execution_options(yield_per=20_000)
    )
    for programme_id, start, end, status, hold in rows:
        if programme_id != current:
            finish()
            current, items = programme_id, []
            if len(batch) >= 20_000:
                connection.execute(insert(full_run), batch)
                total += len(batch)
                batch = []
        items.append((start, end, None if status in FIRM_STATUSES else hold))
    finish()
    for programme_id in reserving:
        generic, by_reservation = reserved_days.runs_by_pool(connection, programme_id, capacities[programme_id], None)
        batch.extend({"programme_id": programme_id, "first_day": first, "last_day": last, "full_until": until}
                     for first, last, until in generic)
        if reserved := reserved_days.reserved_rows(programme_id, by_reservation):
            connection.execute(insert(reserved_days.reserved_full_run), reserved)
    if batch:
        connection.execute(insert(full_run), batch)
        total += len(batch)
    if "programme_next_free" in sa_inspect(connection).get_table_names():  # from migration 0025 on
        next_free_index.invalidate_all(connection)
    return total


def _history(obj, name) -> tuple[list, object]:
    """(values before this flush, value now) of one attribute."""
    history = sa_inspect(obj).attrs[name].history
    before = list(history.deleted or ()) or list(history.unchanged or ())
    return before, getattr(obj, name)


@event.listens_for(Session, "after_flush")
def _keep_in_step(session: Session, _context) -> None:
    """Refresh the days whose committing bookings, or the programme's capacity, this flush changed."""
    windows: dict[int, Window] = {}
    shrinkable: set[int] = set()  # programmes where this flush may have freed a day
    reserving: set[int] = set()  # programmes whose reservations this flush changed
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, ProgrammeReservation):
            if obj.programme_id is not None:
                _merge(windows, obj.programme_id, None)
                shrinkable.add(obj.programme_id)
                reserving.add(obj.programme_id)
            continue
        if isinstance(obj, Booking):
            if obj in session.new or obj in session.deleted:
                if obj.status in _RELEVANT:
                    _merge(windows, obj.programme_id, (obj.start_date, obj.end_date))
                    if obj in session.deleted:
                        shrinkable.add(obj.programme_id)
                continue
            state = sa_inspect(obj)
            if not any(state.attrs[name].history.has_changes() for name in _WATCHED):
                continue
            statuses, status = _history(obj, "status")
            if not (set(statuses) | {status}) & _RELEVANT:
                continue
            programmes, programme_id = _history(obj, "programme_id")
            starts, start = _history(obj, "start_date")
            ends, end = _history(obj, "end_date")
            window = (min([start, *starts]), max([end, *ends]))
            for pid in {programme_id, *programmes}:
                _merge(windows, pid, window)
                shrinkable.add(pid)
        elif isinstance(obj, Programme) and obj not in session.new and obj not in session.deleted:
            state = sa_inspect(obj)
            if state.attrs["capacity"].history.has_changes() or state.attrs["reserved_places"].history.has_changes():
                _merge(windows, obj.id, None)
                shrinkable.add(obj.id)
                if state.attrs["reserved_places"].history.has_changes():
                    reserving.add(obj.id)
    if windows:
        refresh(session, windows, grown_only=frozenset(set(windows) - shrinkable),
                reservations_changed=frozenset(reserving))


# --- the availability filter ----------------------------------------------------------------


AvailabilityForm = Literal["set", "shared_set", "probe"]


def availability_values(from_date: date, to_date: date, *, now: datetime,
                        target_group: str | None = None) -> dict[str, object]:
    """The values availability_condition() binds, by parameter name (a statement built once per
    shape runs with these, marketplace/programmes/service.py)."""
    values: dict[str, object] = {"available_month_start": _month_start(from_date), "available_from": from_date,
                                 "available_to": to_date, "available_now": now}
    if target_group:
        values["available_group"] = target_group
    return values


def availability_condition(from_date: date, to_date: date, *, now: datetime, form: AvailabilityForm = "set",
                           target_group: str | None = None):
    """SQL for .where() on a select of Programme: at least one place free on every day of the range.

    One anti-join: the programme has places and none of its runs of full days that overlaps
    the range is full now. A run overlapping `from_date` starts in its month at the earliest
    (runs never cross a month's end), so the overlap test is a bounded range on first_day.
    The same rule in three forms, for the planner's sake (benchmarks/RESULTS.md):
    - "set": NOT IN the programmes with a full day, built once per statement (hashed);
      cheapest when most programmes are candidates;
    - "shared_set": the same set as a CTE, so a statement that uses the condition twice (a
      page and its count, catalog.search.page_query) builds it once;
    - "probe": NOT EXISTS a live run of this programme, looked up on the primary key per
      candidate; cheapest when other filters leave few candidates (PostgreSQL may still
      plan it as a hashed anti-join when that is cheaper).

    Places are the unreserved ones (reserved_days.py): a programme whose every place is
    reserved is never free for a request of no reservation. With `target_group`, the
    question is asked for a participant of that group: a programme with a reservation for
    it answers from that reservation's runs.
    """
    values = availability_values(from_date, to_date, now=now, target_group=target_group)

    def bound(name: str, column):
        return bindparam(name, values[name], type_=column.type)

    def live(table):
        first_day, last_day, full_until = table.c.first_day, table.c.last_day, table.c.full_until
        return and_(first_day >= bound("available_month_start", first_day), first_day <= bound("available_to", first_day),
                    last_day >= bound("available_from", last_day),
                    or_(full_until.is_(None), full_until > bound("available_now", full_until)))

    places = Programme.capacity > Programme.reserved_places
    if target_group:
        group = bound("available_group", ProgrammeReservation.target_group_code)
        reserving = select(ProgrammeReservation.programme_id).where(ProgrammeReservation.target_group_code == group)
        reserved = reserved_days.reserved_full_run
        own = (select(reserved.c.programme_id)
               .join(ProgrammeReservation, ProgrammeReservation.id == reserved.c.reservation_id)
               .where(ProgrammeReservation.target_group_code == group, live(reserved)))
        generic = select(full_run.c.programme_id).where(live(full_run), full_run.c.programme_id.not_in(reserving))
        places = or_(places, and_(Programme.capacity > 0, Programme.id.in_(reserving)))
        # Few programmes reserve places: the group's form is always the set (built once, hashed).
        return and_(places, Programme.id.not_in(union_all(generic, own)))
    if form == "probe":
        full = select(full_run.c.programme_id).where(full_run.c.programme_id == Programme.id, live(full_run))
        return and_(places, ~full.exists())
    full = select(full_run.c.programme_id).where(live(full_run))
    if form == "shared_set":
        full_set = full.distinct().cte("full_programmes")
        full = select(full_set.c.programme_id)
    return and_(places, Programme.id.not_in(full))
