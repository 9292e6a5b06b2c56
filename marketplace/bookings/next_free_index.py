"""The stored next free date: each programme's next_free.py answer for a request of no
reservation, kept in a table so that the catalogue's `start_by` filter is one indexed range and
a result page reads one column, instead of every candidate's runs of full days per search.
(Computed per search, start_by took p95 146/247 ms at 10 000/100 000 programmes on SQLite;
docs/performance.md has the figures of this form.)

A stored answer stays true while nothing it was computed from changes:
- the runs of full days and the programme's own fields: the full-days index invalidates a
  programme's row in the same flush that rewrites its runs, and so does a change of its
  capacity, reservations, min_weeks, valid_from or valid_to (invalidate());
- time: an answer computed on day C is also the answer on every day T with C <= T <= that date
  (first_start() skips the same runs from any day up to the date it found), and it holds until
  the first hold among the programme's runs expires (that run then stops counting).
So a row is *fresh* from the moment it was computed (computed_at) until the earlier of the end
of that date (Stockholm) and the first expiry (fresh_until); a new day, an expired hold or an
invalidation (fresh_until = the epoch) makes it stale without anything running. A search
trusts only fresh rows and computes the others from the runs, so an answer is exact whether or
not the refresh job has run; the job (every minute) keeps stale rows few, so that searches
rarely compute anything.

A refresh never stores an answer read from runs that a booking changed meanwhile: every
invalidation raises `version`, and a refresh writes a row only where the version it read
before reading the runs is still there (otherwise the row stays stale for the next run).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import (Column, ColumnElement, Date, Index, Integer, MetaData, Table, and_, bindparam, delete, event,
                        insert, or_, select, update)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from catalog.models import Programme
from catalog.types import UTCDateTime
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import transaction

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
END_OF_TIME = datetime(9999, 12, 31, tzinfo=timezone.utc)
BATCH = 200
# Fields of a programme its next free date is computed from (besides the runs of full days).
_FIELDS = ("capacity", "reserved_places", "min_weeks", "valid_from", "valid_to")

# Own metadata, like the full-days index: derived data, created by migration 0025.
metadata = MetaData()
next_free_row = Table(
    "programme_next_free",
    metadata,
    Column("programme_id", Integer, primary_key=True, autoincrement=False),
    Column("next_free_date", Date, nullable=True),
    Column("computed_at", UTCDateTime, nullable=False),
    Column("fresh_until", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_programme_next_free_date", "next_free_date"),
    # The stale set is two small ranges, each on its own index.
    Index("ix_programme_next_free_fresh_until", "fresh_until"),
    Index("ix_programme_next_free_computed_at", "computed_at"),
)
_t = next_free_row.c


def fresh(now) -> ColumnElement[bool]:
    """SQL: the stored answer is true at `now` (a bound value or parameter)."""
    return and_(_t.computed_at <= now, _t.fresh_until > now)


def stored_answer_values(*, now: datetime) -> dict[str, object]:
    """The values with_stored_answer() binds, by parameter name."""
    return {"stored_now": now}


def with_stored_answer(query, programme_id):
    """`query` with two more columns: the programme's stored answer and whether it is fresh."""
    now = bindparam("stored_now", type_=UTCDateTime())
    return (query.outerjoin(next_free_row, _t.programme_id == programme_id)
            .add_columns(_t.next_free_date, fresh(now)))


def stale(now) -> ColumnElement[bool]:
    return or_(_t.fresh_until <= now, _t.computed_at > now)


def stale_row(programme_id: int) -> dict[str, object]:
    return {"programme_id": programme_id, "next_free_date": None, "computed_at": EPOCH, "fresh_until": EPOCH,
            "version": 0}


def fresh_until(day: date | None, first_expiry: datetime | None) -> datetime:
    """Until when an answer stays true: the end of its date in Stockholm (from the next day on the
    placement must be looked for again), or the first expiry of a hold among its runs."""
    end_of_day = END_OF_TIME if day is None else datetime.combine(day + timedelta(days=1), time(0), tzinfo=STOCKHOLM)
    return min(end_of_day, first_expiry or END_OF_TIME)


def invalidate(session: Session, programme_ids: Iterable[int]) -> None:
    """Mark the programmes' answers stale, in the transaction of the change that made them so."""
    ids = sorted(set(programme_ids))
    if ids:
        session.execute(_INVALIDATE.where(_t.programme_id.in_(ids)))


def invalidate_all(connection) -> None:
    """Every row stale, and every programme given one (after a bulk load that bypassed the ORM)."""
    connection.execute(_INVALIDATE)
    add_missing(connection)


_INVALIDATE = update(next_free_row).values(fresh_until=EPOCH, version=_t.version + 1)


def add_missing(connection) -> int:
    """Give every programme without a row a stale one (after a bulk load that bypassed the ORM,
    and as the refresh job's safety net); returns how many."""
    missing = [stale_row(programme_id) for programme_id in connection.execute(
        select(Programme.id).where(Programme.id.not_in(select(_t.programme_id)))).scalars()]
    for start in range(0, len(missing), 20_000):
        connection.execute(insert(next_free_row), missing[start:start + 20_000])
    return len(missing)


def refresh_stale(session: Session, *, today: date, now: datetime, after: int = 0, limit: int = BATCH) -> tuple[int, int | None]:
    """Recompute up to `limit` stale rows with programme ids above `after` (the caller commits).
    Returns (rows written, the last id looked at, or None when there were none)."""
    from marketplace.bookings import next_free

    due = session.execute(select(_t.programme_id, _t.version)
                          .where(stale(now), _t.programme_id > after)
                          .order_by(_t.programme_id).limit(limit)).all()
    if not due:
        return 0, None
    versions = dict(due)
    programmes = session.execute(select(Programme).where(Programme.id.in_(list(versions)))).scalars().all()
    answers = next_free.answers_of_no_reservation(session, programmes, today=today, now=now)
    rows = [{"pid": programme_id, "seen": versions[programme_id], "day": day, "at": now,
             "until": fresh_until(day, first_expiry)}
            for programme_id, (day, first_expiry) in answers.items()]
    written = 0
    if rows:
        result = session.execute(_WRITE_ANSWER, rows)
        written = result.rowcount if result.rowcount is not None and result.rowcount >= 0 else len(rows)
    return written, due[-1][0]


_WRITE_ANSWER = (update(next_free_row)
                 .where(_t.programme_id == bindparam("pid"), _t.version == bindparam("seen"))
                 .values(next_free_date=bindparam("day"), computed_at=bindparam("at"),
                         fresh_until=bindparam("until")))


def refresh_all_stale(session_factory, *, today: date, now: datetime) -> int:
    """Every stale row recomputed in batches, each in its own transaction; returns rows written.
    One pass in programme order: a row a booking invalidates meanwhile waits for the next run."""
    with session_factory() as session, transaction(session, write_lock=True):
        add_missing(session.connection())
    written, after = 0, 0
    while True:
        # Under the write lock a booking's flush on SQLite waits for the batch (PostgreSQL: the versions).
        with session_factory() as session, transaction(session, write_lock=True):
            count, last = refresh_stale(session, today=today, now=now, after=after)
        if last is None:
            return written
        written, after = written + count, last


@event.listens_for(Session, "after_flush")
def _rows_follow_programmes(session: Session, _context) -> None:
    """A new programme gets a stale row, a deleted one loses its row, and a change of the fields
    its answer is computed from invalidates it (a change of its runs does so in full_days.refresh)."""
    new, gone, changed = [], [], []
    for obj in session.new:
        if isinstance(obj, Programme):
            new.append(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Programme):
            gone.append(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Programme) and obj not in session.new:
            state = sa_inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in _FIELDS):
                changed.append(obj.id)
    if new:
        session.execute(insert(next_free_row), [stale_row(programme_id) for programme_id in new])
    if gone:
        session.execute(delete(next_free_row).where(_t.programme_id.in_(gone)))
    invalidate(session, changed)
