"""When can a participant start: a programme's next free date, and the catalogue filter on it.

The next free date is the first day from today (or from the programme's valid_from, if later)
on which a place is free on every day of the programme's shortest placement: min_weeks, or
DEFAULT_WEEKS without one, ending on or before valid_to. "Free" is the booking rule itself,
read from the full-days index (full_days.py): a day is taken while a live run of full days
covers it (a hold stops counting when it expires), and reservations count as a booking
counts them (reserved_days.py): a search for no target group sees the unreserved places, a
search for a participant's target group also that group's reservation.

Both forms below answer the same rule: next_free_dates() for a page of programmes (one
query for their runs), start_by_condition() as SQL for the catalogue's search, so that
`start_by` filters every programme in the statement that pages and counts them. The answers
for a request of no reservation are also stored (next_free_index.py); both forms read the
stored answers where they are fresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, Date, Integer, and_, bindparam, case, func, literal, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.visitors import InternalTraversal

from catalog.models import Programme, ProgrammeReservation
from marketplace.bookings import next_free_index
from marketplace.bookings.full_days import full_run
from marketplace.bookings.reserved_days import reserved_full_run

DEFAULT_WEEKS = 4


def placement_days(min_weeks: int | None) -> int:
    """Days the shortest placement lasts: min_weeks, or DEFAULT_WEEKS without one."""
    return (min_weeks or DEFAULT_WEEKS) * 7


def first_start(runs: Iterable[tuple[date, date]], start: date, length: int, valid_to: date | None) -> date | None:
    """The first day from `start` whose `length` days meet none of the full runs (sorted by first
    day, live ones only), if that placement ends by valid_to."""
    day = start
    for first, last in runs:
        if last < day:
            continue
        if first > day + timedelta(days=length - 1):
            break
        day = last + timedelta(days=1)
    if valid_to is not None and day + timedelta(days=length - 1) > valid_to:
        return None
    return day


def next_free_dates(session, programmes: Sequence[Programme], *, today: date, now: datetime,
                    target_group: str | None = None, known: dict[int, date | None] | None = None) -> dict[int, date | None]:
    """{programme id: next free date or None}, with one query for the runs of the programmes
    whose answer is not `known` (stored answers for a request of no reservation,
    next_free_index.py; a programme with a reservation for `target_group` is computed anyway)."""
    if not programmes:
        return {}
    known = known or {}
    reserved_for: dict[int, int] = {}
    if target_group and any(p.reserved_places for p in programmes):
        reserved_for = dict(session.execute(
            select(ProgrammeReservation.programme_id, ProgrammeReservation.id)
            .where(ProgrammeReservation.programme_id.in_([p.id for p in programmes]),
                   ProgrammeReservation.target_group_code == target_group)).all())
    todo = [p for p in programmes if p.id not in known or p.id in reserved_for]
    runs = _runs(session, [p.id for p in todo], reserved_for, today=today, now=now)
    result = {p.id: known[p.id] for p in programmes if p.id not in reserved_for and p.id in known}
    for programme in todo:
        result[programme.id] = _answer(programme, runs.get(programme.id, []), today, reserved=programme.id in reserved_for)
    return result


def answers_of_no_reservation(session, programmes: Sequence[Programme], *, today: date,
                              now: datetime) -> dict[int, tuple[date | None, datetime | None]]:
    """{programme id: (next free date of a request of no reservation, the first moment it may
    change by itself: the earliest expiry of a hold among the runs read, None for never)}."""
    runs = _runs(session, [p.id for p in programmes], {}, today=today, now=now)
    answers = {}
    for programme in programmes:
        own = runs.get(programme.id, [])
        expiries = [until for _first, _last, until in own if until is not None]
        answers[programme.id] = (_answer(programme, own, today, reserved=False), min(expiries, default=None))
    return answers


def _answer(programme: Programme, runs: list[tuple[date, date, datetime | None]], today: date, *,
            reserved: bool) -> date | None:
    if programme.capacity <= 0 or (programme.capacity <= programme.reserved_places and not reserved):
        return None
    start = max(today, programme.valid_from or today)
    return first_start(sorted((first, last) for first, last, _until in runs), start, placement_days(programme.min_weeks),
                       programme.valid_to)


def _runs(session, ids: list[int], reserved_for: dict[int, int], *, today: date,
          now: datetime) -> dict[int, list[tuple[date, date, datetime | None]]]:
    """The programmes' live runs from today on, for a request of no reservation, or, for those
    in `reserved_for`, for that reservation."""
    runs: dict[int, list[tuple[date, date, datetime | None]]] = {}
    if not ids:
        return runs
    for programme_id, first, last, until in session.execute(_runs_of_page(bool(reserved_for)), {
            "ids": ids, "reservation_ids": list(reserved_for.values()) or [0], "from_day": today, "moment": now,
            "month_start": today.replace(day=1)}):
        runs.setdefault(programme_id, []).append((first, last, until))
    return runs


def _live(table, moment, month_start) -> ColumnElement[bool]:
    """SQL: a run that still counts (its full_until not passed) and may reach today or later (runs
    never cross a month's end, so one reaching today starts in today's month at the earliest)."""
    return and_(table.c.first_day >= month_start, or_(table.c.full_until.is_(None), table.c.full_until > moment))


def _runs_of_page(with_reserved: bool):
    moment = bindparam("moment", type_=full_run.c.full_until.type)
    month_start = bindparam("month_start", type_=Date)
    generic = select(full_run.c.programme_id, full_run.c.first_day, full_run.c.last_day, full_run.c.full_until).where(
        full_run.c.programme_id.in_(bindparam("ids", expanding=True)), _live(full_run, moment, month_start),
        full_run.c.last_day >= bindparam("from_day", type_=Date))
    if not with_reserved:
        return generic.order_by(full_run.c.programme_id, full_run.c.first_day)
    # A programme with a reservation for the group: its runs for that reservation instead.
    reserved = select(reserved_full_run.c.programme_id, reserved_full_run.c.first_day, reserved_full_run.c.last_day,
                      reserved_full_run.c.full_until).where(
        reserved_full_run.c.reservation_id.in_(bindparam("reservation_ids", expanding=True)),
        _live(reserved_full_run, moment, month_start), reserved_full_run.c.last_day >= bindparam("from_day", type_=Date))
    reserving = select(ProgrammeReservation.programme_id).where(
        ProgrammeReservation.id.in_(bindparam("reservation_ids", expanding=True)))
    return union_all(generic.where(full_run.c.programme_id.not_in(reserving)), reserved)


# --- the catalogue filter ---------------------------------------------------------------------


class date_plus(ColumnElement):
    """SQL: a date `days` days later (an integer expression), on both engines."""

    inherit_cache = True
    type = Date()
    _traverse_internals = [("day", InternalTraversal.dp_clauseelement), ("days", InternalTraversal.dp_clauseelement)]

    def __init__(self, day, days):
        self.day = day
        self.days = days


@compiles(date_plus)
def _date_plus_sqlite(element, compiler, **kw):
    # Dates are ISO text on SQLite; date() answers in the same form, so comparisons stay exact.
    return f"date({compiler.process(element.day, **kw)}, ({compiler.process(element.days, **kw)}) || ' days')"


@compiles(date_plus, "postgresql")
def _date_plus_postgresql(element, compiler, **kw):
    return f"(CAST({compiler.process(element.day, **kw)} AS DATE) + ({compiler.process(element.days, **kw)}))"


def start_by_values(start_by: date, *, today: date, now: datetime, target_group: str | None = None) -> dict[str, object]:
    """The values start_by_condition() binds, by parameter name."""
    values: dict[str, object] = {"start_by": start_by, "start_today": today, "start_month": today.replace(day=1),
                                 "start_now": now}
    if target_group:
        values["start_group"] = target_group
    return values


class _Bounds:
    """The bound values of one start_by statement, and the rule's day arithmetic in SQL."""

    def __init__(self, values: dict[str, object]):
        def bound(name: str, type_=Date):
            return bindparam(name, values[name], type_=type_)

        self.today, self.start_by, self.month = bound("start_today"), bound("start_by"), bound("start_month")
        self.moment = bound("start_now", full_run.c.full_until.type)
        self.group = bound("start_group", ProgrammeReservation.target_group_code.type) if "start_group" in values else None

    def first_possible(self, programme):
        return case((programme.valid_from > self.today, programme.valid_from), else_=self.today)

    def last_day_of(self, programme, start):
        return date_plus(start, func.coalesce(programme.min_weeks, literal(DEFAULT_WEEKS, Integer)) * 7 - 1)

    def fits_by_validity(self, programme, start):
        return or_(programme.valid_to.is_(None), self.last_day_of(programme, start) <= programme.valid_to)

    def starts_in_time(self):
        # S <= start_by without a CASE per row: S is today (<= start_by, or nothing matches) or valid_from.
        # (Both values are bound: a statement built once per shape serves every start_by.)
        return and_(self.today <= self.start_by,
                    or_(Programme.valid_from.is_(None), Programme.valid_from <= self.start_by))


def start_by_condition(start_by: date, *, today: date, now: datetime,
                       target_group: str | None = None) -> ColumnElement[bool]:
    """SQL for .where() on a select of Programme: its next free date is on or before `start_by`.

    The stored answers decide (next_free_index.py): a programme with a fresh row by its date;
    one with a stale row by the rule itself, probing that programme's runs on the index's
    primary key. (Every programme has a row: see next_free_index.py.) The stored answers are
    those of a request of no reservation; with a target group, the programmes that reserve
    places for it are decided by the rule over their reservation's runs, built once per
    statement as sets (they are few).

    The rule: the placement fits from the first possible day S (today or valid_from) on, or
    it fits from the day after some live full run, a day between S and start_by.
    """
    values = start_by_values(start_by, today=today, now=now, target_group=target_group)
    b = _Bounds(values)
    # Two sets, each built once per statement from one index: the stale rows (few), and every
    # row whose date is later than start_by or none. Only NOT IN tests a fresh programme, and a
    # NOT IN cannot drive the statement, so a wide search walks the name index and stops
    # after its page (an IN or a probe per candidate cost 2-3x the worst search at 100 000).
    stored = next_free_index.next_free_row.c
    stale = select(stored.programme_id).where(next_free_index.stale(b.moment))
    later = select(stored.programme_id).where(or_(stored.next_free_date > b.start_by, stored.next_free_date.is_(None)))
    by_stored = or_(and_(Programme.id.not_in(stale), Programme.id.not_in(later)),
                    and_(Programme.id.in_(stale), _by_rule_probed(b)))
    if b.group is None:
        return by_stored
    reserving = select(ProgrammeReservation.programme_id).where(ProgrammeReservation.target_group_code == b.group)
    return or_(and_(Programme.id.not_in(reserving), by_stored),
               and_(Programme.id.in_(reserving), _by_reservation(b)))


def _by_rule_probed(b: _Bounds) -> ColumnElement[bool]:
    """The rule for a request of no reservation, probing the candidate's runs on their primary key."""
    start = b.first_possible(Programme)
    block = full_run.alias("start_run")
    blocked_here = (select(block.c.programme_id)
                    .where(block.c.programme_id == Programme.id, _live(block, b.moment, b.month),
                           block.c.first_day <= b.last_day_of(Programme, start), block.c.last_day >= start)
                    .exists())
    after, inner = full_run.alias("after_run"), full_run.alias("meeting_run")
    day_after = date_plus(after.c.last_day, literal(1, Integer))
    meets = (select(inner.c.programme_id)
             .where(inner.c.programme_id == after.c.programme_id, _live(inner, b.moment, b.month),
                    inner.c.first_day > after.c.last_day, inner.c.first_day <= b.last_day_of(Programme, day_after))
             .exists())
    gap_here = (select(after.c.programme_id)
                .where(after.c.programme_id == Programme.id, _live(after, b.moment, b.month),
                       after.c.last_day >= b.today, after.c.last_day < b.start_by, day_after >= start,
                       b.fits_by_validity(Programme, day_after), ~meets)
                .exists())
    return and_(Programme.capacity > Programme.reserved_places, b.starts_in_time(),
                or_(and_(b.fits_by_validity(Programme, start), ~blocked_here), gap_here))


def _by_reservation(b: _Bounds) -> ColumnElement[bool]:
    """The rule for a programme that reserves places for the group, over that reservation's runs:
    the programmes a run blocks, and those with a gap, as sets built once per statement."""

    def runs(name: str):
        return (select(reserved_full_run.c.programme_id, reserved_full_run.c.first_day, reserved_full_run.c.last_day)
                .join(ProgrammeReservation, ProgrammeReservation.id == reserved_full_run.c.reservation_id)
                .where(ProgrammeReservation.target_group_code == b.group, _live(reserved_full_run, b.moment, b.month))
                .subquery(name))

    # From the first possible day: no run meets the placement.
    starting = runs("start_run")
    blocked_keeper = aliased(Programme, name="blocked_programme")
    blocked = (select(starting.c.programme_id)
               .join(blocked_keeper, blocked_keeper.id == starting.c.programme_id)
               .where(starting.c.last_day >= b.today,
                      starting.c.last_day >= b.first_possible(blocked_keeper),
                      starting.c.first_day <= b.last_day_of(blocked_keeper, b.first_possible(blocked_keeper))))
    from_first = and_(b.fits_by_validity(Programme, b.first_possible(Programme)), Programme.id.not_in(blocked))
    # After a run: the day after it, inside [S, start_by], no run meets the placement from there.
    after, inner = runs("after_run"), runs("meeting_run")
    keeper = aliased(Programme, name="gap_programme")
    day_after = date_plus(after.c.last_day, literal(1, Integer))
    meets = (select(inner.c.programme_id)
             .where(inner.c.programme_id == after.c.programme_id,
                    inner.c.first_day > after.c.last_day, inner.c.first_day <= b.last_day_of(keeper, day_after))
             .exists())
    gaps = (select(after.c.programme_id)
            .join(keeper, keeper.id == after.c.programme_id)
            .where(after.c.last_day >= b.today, after.c.last_day < b.start_by,
                   day_after >= b.first_possible(keeper), b.fits_by_validity(keeper, day_after), ~meets))
    return and_(Programme.capacity > 0, b.starts_in_time(), or_(from_first, Programme.id.in_(gaps)))
