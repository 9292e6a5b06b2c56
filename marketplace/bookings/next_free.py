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
`start_by` filters every programme in the statement that pages and counts them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import (ColumnElement, Date, Integer, String, and_, bindparam, case, cast, func, literal, or_, select,
                        union_all)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.visitors import InternalTraversal

from catalog.models import Programme, ProgrammeReservation
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


def runs_column_values(*, today: date, now: datetime) -> dict[str, object]:
    """The values runs_column() binds, by parameter name."""
    return {"runs_from": today, "runs_month": today.replace(day=1), "runs_now": now}


def runs_column(programme_id, *, today: date, now: datetime) -> ColumnElement[str | None]:
    """SQL: the programme's live runs of full days from today on for a request of no reservation,
    as one string ("YYYY-MM-DD:YYYY-MM-DD …", NULL for none), a column for a statement that
    reads a page of programmes anyway; split_runs() reads it back for next_free_dates()."""
    values = runs_column_values(today=today, now=now)
    moment = bindparam("runs_now", values["runs_now"], type_=full_run.c.full_until.type)
    month = bindparam("runs_month", values["runs_month"], type_=Date)
    pair = cast(full_run.c.first_day, String) + literal(":", String) + cast(full_run.c.last_day, String)
    return (select(func.aggregate_strings(pair, " "))
            .where(full_run.c.programme_id == programme_id, _live(full_run, moment, month),
                   full_run.c.last_day >= bindparam("runs_from", values["runs_from"], type_=Date))
            .correlate_except(full_run)
            .scalar_subquery())


def split_runs(text: str | None) -> list[tuple[date, date]]:
    if not text:
        return []
    return [(date.fromisoformat(first), date.fromisoformat(last))
            for first, last in (pair.split(":") for pair in text.split(" "))]


def next_free_dates(session, programmes: Sequence[Programme], *, today: date, now: datetime,
                    target_group: str | None = None,
                    runs: dict[int, list[tuple[date, date]]] | None = None) -> dict[int, date | None]:
    """{programme id: next free date or None}, with one query for the programmes' live runs
    (none when `runs`, read by the page's own statement with runs_column(), come along)."""
    if not programmes:
        return {}
    ids = [p.id for p in programmes]
    reserved_for: dict[int, int] = {}
    if target_group and any(p.reserved_places for p in programmes):
        reserved_for = dict(session.execute(
            select(ProgrammeReservation.programme_id, ProgrammeReservation.id)
            .where(ProgrammeReservation.programme_id.in_(ids), ProgrammeReservation.target_group_code == target_group)).all())
    if runs is None or reserved_for:
        runs = {}
        for programme_id, first, last in session.execute(_runs_of_page(bool(reserved_for)), {
                "ids": ids, "reservation_ids": list(reserved_for.values()) or [0], "from_day": today, "moment": now,
                "month_start": today.replace(day=1)}):
            runs.setdefault(programme_id, []).append((first, last))
    result: dict[int, date | None] = {}
    for programme in programmes:
        if programme.capacity <= 0 or (programme.capacity <= programme.reserved_places and programme.id not in reserved_for):
            result[programme.id] = None
            continue
        start = max(today, programme.valid_from or today)
        result[programme.id] = first_start(sorted(runs.get(programme.id, [])), start, placement_days(programme.min_weeks),
                                           programme.valid_to)
    return result


def _live(table, moment, month_start) -> ColumnElement[bool]:
    """SQL: a run that still counts (its full_until not passed) and may reach today or later (runs
    never cross a month's end, so one reaching today starts in today's month at the earliest)."""
    return and_(table.c.first_day >= month_start, or_(table.c.full_until.is_(None), table.c.full_until > moment))


def _runs_of_page(with_reserved: bool):
    moment = bindparam("moment", type_=full_run.c.full_until.type)
    month_start = bindparam("month_start", type_=Date)
    generic = select(full_run.c.programme_id, full_run.c.first_day, full_run.c.last_day).where(
        full_run.c.programme_id.in_(bindparam("ids", expanding=True)), _live(full_run, moment, month_start),
        full_run.c.last_day >= bindparam("from_day", type_=Date))
    if not with_reserved:
        return generic.order_by(full_run.c.programme_id, full_run.c.first_day)
    # A programme with a reservation for the group: its runs for that reservation instead.
    reserved = select(reserved_full_run.c.programme_id, reserved_full_run.c.first_day, reserved_full_run.c.last_day).where(
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


def start_by_condition(start_by: date, *, today: date, now: datetime, target_group: str | None = None,
                       form: str = "set") -> ColumnElement[bool]:
    """SQL for .where() on a select of Programme: its next free date is on or before `start_by`.

    It is: the placement fits from the first possible day S (today or valid_from) on, or it fits
    from the day after some live full run, a day between S and start_by. Only programmes with
    full runs from today on are looked at for the second part; the others are decided by their
    own columns.

    Two forms of the same rule, as for availability (full_days.availability_condition):
    "set" builds the programmes a run blocks, and those with a gap, once per statement (when
    most programmes are candidates); "probe" looks up each candidate's runs on the index's
    primary key (when words or a category leave few). A target group always uses the set.
    """
    values = start_by_values(start_by, today=today, now=now, target_group=target_group)

    def bound(name: str, type_=Date):
        return bindparam(name, values[name], type_=type_)

    today_, start_by_, month = bound("start_today"), bound("start_by"), bound("start_month")
    moment = bound("start_now", full_run.c.full_until.type)
    group = bound("start_group", ProgrammeReservation.target_group_code.type) if target_group else None

    def runs(name: str):
        """(the live runs this search meets, under `name`, and the conditions that make them live).
        Without a group: the index table itself, so the per-run probe below uses its primary key."""
        if group is None:
            table = full_run.alias(name)
            return table, [_live(table, moment, month)]
        return _view_runs(group, moment, month).subquery(name), []

    def first_possible(programme):
        return case((programme.valid_from > today_, programme.valid_from), else_=today_)

    def last_day_of(programme, start):
        return date_plus(start, func.coalesce(programme.min_weeks, literal(DEFAULT_WEEKS, Integer)) * 7 - 1)

    def fits_by_validity(programme, start):
        return or_(programme.valid_to.is_(None), last_day_of(programme, start) <= programme.valid_to)

    places = Programme.capacity > Programme.reserved_places
    # S <= start_by without a CASE per row: S is today (<= start_by, or nothing matches) or valid_from.
    # (Both values are bound: a statement built once per shape serves every start_by.)
    starts_in_time = and_(today_ <= start_by_, or_(Programme.valid_from.is_(None), Programme.valid_from <= start_by_))
    if form == "probe" and group is None:
        start = first_possible(Programme)
        block = full_run.alias("start_run")
        blocked_here = (select(block.c.programme_id)
                        .where(block.c.programme_id == Programme.id, _live(block, moment, month),
                               block.c.first_day <= last_day_of(Programme, start), block.c.last_day >= start)
                        .exists())
        after, inner = full_run.alias("after_run"), full_run.alias("meeting_run")
        day_after = date_plus(after.c.last_day, literal(1, Integer))
        meets = (select(inner.c.programme_id)
                 .where(inner.c.programme_id == after.c.programme_id, _live(inner, moment, month),
                        inner.c.first_day > after.c.last_day, inner.c.first_day <= last_day_of(Programme, day_after))
                 .exists())
        gap_here = (select(after.c.programme_id)
                    .where(after.c.programme_id == Programme.id, _live(after, moment, month),
                           after.c.last_day >= today_, after.c.last_day < start_by_, day_after >= start,
                           fits_by_validity(Programme, day_after), ~meets)
                    .exists())
        return and_(places, starts_in_time, or_(and_(fits_by_validity(Programme, start), ~blocked_here), gap_here))
    # From the first possible day: no run meets the placement. The programmes that one does are
    # one uncorrelated set (built once per statement, hashed), not a probe per candidate.
    starting, live_starting = runs("start_run")
    blocked_keeper = aliased(Programme, name="blocked_programme")
    blocked = (select(starting.c.programme_id)
               .join(blocked_keeper, blocked_keeper.id == starting.c.programme_id)
               .where(*live_starting, starting.c.last_day >= today_,
                      starting.c.last_day >= first_possible(blocked_keeper),
                      starting.c.first_day <= last_day_of(blocked_keeper, first_possible(blocked_keeper))))
    from_first = and_(fits_by_validity(Programme, first_possible(Programme)), Programme.id.not_in(blocked))
    # After a run: the day after it, inside [S, start_by], no run meets the placement from there.
    after, live_after = runs("after_run")
    inner, live_inner = runs("meeting_run")
    keeper = aliased(Programme, name="gap_programme")
    day_after = date_plus(after.c.last_day, literal(1, Integer))
    meets = (select(inner.c.programme_id)
             .where(inner.c.programme_id == after.c.programme_id, *live_inner,
                    inner.c.first_day > after.c.last_day, inner.c.first_day <= last_day_of(keeper, day_after))
             .exists())
    gaps = (select(after.c.programme_id)
            .join(keeper, keeper.id == after.c.programme_id)
            .where(*live_after, after.c.last_day >= today_, after.c.last_day < start_by_,
                   day_after >= first_possible(keeper), fits_by_validity(keeper, day_after), ~meets))
    if target_group:
        places = or_(places, and_(Programme.capacity > 0, Programme.id.in_(_reserving(values))))
    return and_(places, starts_in_time, or_(from_first, Programme.id.in_(gaps)))


def _reserving(values: dict[str, object]):
    return select(ProgrammeReservation.programme_id).where(
        ProgrammeReservation.target_group_code == bindparam("start_group", values["start_group"],
                                                            type_=ProgrammeReservation.target_group_code.type))


def _view_runs(group, moment, month):
    """The live runs a request of the target group `group` (a bound value) meets: a select of
    (programme_id, first_day, last_day): a programme's runs for its reservation for the group,
    else its runs for requests of no reservation."""
    reserving = select(ProgrammeReservation.programme_id).where(ProgrammeReservation.target_group_code == group)
    generic = select(full_run.c.programme_id, full_run.c.first_day, full_run.c.last_day).where(
        _live(full_run, moment, month), full_run.c.programme_id.not_in(reserving))
    reserved = (select(reserved_full_run.c.programme_id, reserved_full_run.c.first_day, reserved_full_run.c.last_day)
                .join(ProgrammeReservation, ProgrammeReservation.id == reserved_full_run.c.reservation_id)
                .where(ProgrammeReservation.target_group_code == group, _live(reserved_full_run, moment, month)))
    return union_all(generic, reserved)
