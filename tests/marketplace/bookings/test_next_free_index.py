"""The stored next free date (marketplace/bookings/next_free_index.py): a search reads it where it
is fresh and computes it where it is not, so the answer is the rule's whatever the refresh
job has done; a booking makes it stale at once; a refresh never stores an answer from runs a
booking changed meanwhile."""

from __future__ import annotations

import random
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.models import Programme, ProgrammeReservation
from marketplace.bookings import jobs as booking_jobs
from marketplace.bookings import next_free, next_free_index
from marketplace.bookings.next_free_index import next_free_row
from marketplace.kernel import clock
from marketplace.scheduler import JobContext
from tests.marketplace.bookings._factories import _make_booking
from tests.marketplace.programmes.test_next_free import _programme

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
GROUP = "young_adults"


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock(START)


def _refresh(engine, settings) -> int:
    return booking_jobs.refresh_next_free_dates(JobContext(engine=engine, settings=settings, now=clock.now()))


def _row(engine, programme_id: int):
    with Session(engine) as session:
        return session.execute(select(next_free_row).where(next_free_row.c.programme_id == programme_id)).one()


def _is_fresh(row) -> bool:
    return row.computed_at <= clock.now() < row.fresh_until


def _api_dates(api, user, query: str = "") -> dict[int, str | None]:
    response = api(user).get(f"/api/v1/programmes?per_page=100{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"]: item["next_free_date"] for item in response.get_json()["items"]}


def _computed(engine, ids: list[int], group: str | None = None) -> dict[int, date | None]:
    """The rule itself, from the runs, reading nothing stored."""
    with Session(engine) as session:
        programmes = session.execute(select(Programme).where(Programme.id.in_(ids))).scalars().all()
        return next_free.next_free_dates(session, programmes, today=clock.today(), now=clock.now(), target_group=group)


def _reserve(db, programme: Programme, group: str, places: int) -> None:
    db.add(ProgrammeReservation(programme_id=programme.id, target_group_code=group, places=places))
    programme.reserved_places = places
    db.commit()


def test_a_new_programme_is_answered_before_and_after_the_job_stores_it(api, db, engine, settings, staff_user):
    programme = _programme(db, "Ny insats", valid_from=date(2026, 3, 9))
    row = _row(engine, programme.id)
    assert not _is_fresh(row)
    assert _api_dates(api, staff_user)[programme.id] == "2026-03-09"
    assert _refresh(engine, settings) >= 1
    row = _row(engine, programme.id)
    assert _is_fresh(row) and row.next_free_date == date(2026, 3, 9)
    assert _api_dates(api, staff_user)[programme.id] == "2026-03-09"


def test_a_booking_makes_the_stored_answer_stale_in_its_own_transaction(api, db, engine, settings, staff_user):
    programme = _programme(db, "Bokad insats")
    _refresh(engine, settings)
    before = _row(engine, programme.id)
    assert _is_fresh(before) and before.next_free_date == date(2026, 3, 2)
    _make_booking(db, programme, start=date(2026, 3, 2), end=date(2026, 3, 31), requester_id=staff_user.id, now=START)
    after = _row(engine, programme.id)
    assert not _is_fresh(after) and after.version == before.version + 1
    assert _api_dates(api, staff_user)[programme.id] == "2026-04-01"
    assert programme.id not in _api_dates(api, staff_user, "&start_by=2026-03-31")
    assert programme.id in _api_dates(api, staff_user, "&start_by=2026-04-01")


def test_a_change_of_the_fields_it_is_computed_from_makes_it_stale(db, engine, settings):
    programme = _programme(db, "Ändrad insats")
    _refresh(engine, settings)
    programme.min_weeks = 6
    db.commit()
    assert not _is_fresh(_row(engine, programme.id))
    _refresh(engine, settings)
    programme.name = "Bara nytt namn"
    db.commit()
    assert _is_fresh(_row(engine, programme.id))  # the name has nothing to do with it


def test_the_search_reads_a_fresh_stored_answer_and_computes_no_runs_for_it(api, db, engine, settings, staff_user):
    """Proof that the stored column is what a search reads: a fresh row planted with another
    date is shown and filtered by (the job would never store it; this only shows the path)."""
    programme = _programme(db, "Lagrad insats")
    _refresh(engine, settings)
    with Session(engine) as session, session.begin():
        session.execute(update(next_free_row).where(next_free_row.c.programme_id == programme.id)
                        .values(next_free_date=date(2026, 3, 20)))
    assert _api_dates(api, staff_user)[programme.id] == "2026-03-20"
    assert programme.id not in _api_dates(api, staff_user, "&start_by=2026-03-19")
    assert programme.id in _api_dates(api, staff_user, "&start_by=2026-03-20")


def test_an_expired_hold_and_a_new_day_make_it_stale_by_themselves(api, db, engine, settings, frozen_clock, staff_user):
    held = _programme(db, "Hållen insats")
    _make_booking(db, held, start=date(2026, 3, 2), end=date(2026, 3, 31), requester_id=staff_user.id, now=START,
                  status="requested", hold_expires_at=START + timedelta(hours=5))
    free = _programme(db, "Fri insats")
    _refresh(engine, settings)
    assert _row(engine, held.id).next_free_date == date(2026, 4, 1)
    frozen_clock(START + timedelta(hours=6))  # the hold has expired; nothing ran
    assert not _is_fresh(_row(engine, held.id))
    assert _api_dates(api, staff_user)[held.id] == "2026-03-02"
    frozen_clock(START + timedelta(days=1))  # a new day: yesterday's "free from today" is stale
    assert not _is_fresh(_row(engine, free.id))
    assert _api_dates(api, staff_user)[free.id] == "2026-03-03"
    assert free.id not in _api_dates(api, staff_user, "&start_by=2026-03-02")


def test_stored_and_computed_answers_agree_whatever_happens(api, db, engine, settings, frozen_clock, staff_user):
    """Programmes of every shape, some reserving a place for a target group, bookings and holds
    made (some for the group) and days passing in random order, the job run now and then: the
    search's date and start_by always give the rule's answer, with and without the group."""
    rng = random.Random(20261206)
    shapes = [{}, {"min_weeks": 1}, {"min_weeks": 6}, {"valid_from": date(2026, 3, 16)}, {"valid_to": date(2026, 5, 20)},
              {"capacity": 2}]
    programmes = [_programme(db, f"Slump {number:02d}", **shape) for number, shape in enumerate(shapes * 2)]
    reserving = programmes[::3]
    for programme in reserving:
        programme.capacity = 2
        _reserve(db, programme, GROUP, 1)
    ids = [p.id for p in programmes]
    moment = START
    stored_reads = 0
    for step in range(32):
        action = rng.choice(("book", "hold", "refresh", "hours", "day"))
        if action in ("book", "hold"):
            programme = rng.choice(programmes if rng.random() < 0.5 else reserving)  # reserved runs need density
            start = moment.date() + timedelta(days=rng.randrange(0, 50))
            extra = {"status": "requested", "hold_expires_at": moment + timedelta(hours=rng.randrange(1, 30))} \
                if action == "hold" else {}
            booking = _make_booking(db, programme, start=start, end=start + timedelta(days=rng.randrange(3, 40)),
                                    requester_id=staff_user.id, now=moment, **extra)
            if rng.random() < 0.4:
                booking.participant_target_group = GROUP
                db.commit()
        elif action == "refresh":
            _refresh(engine, settings)
        else:
            moment += timedelta(hours=rng.randrange(2, 12)) if action == "hours" else timedelta(days=1)
            frozen_clock(moment)
        with Session(engine) as session:
            stored_reads += sum(1 for row in session.execute(select(next_free_row)).all()
                                if row.programme_id in ids and _is_fresh(row))
        for group in (None, GROUP):
            rule = _computed(engine, ids, group)
            extra = f"&participant_target_group={group}" if group else ""
            shown = _api_dates(api, staff_user, extra)
            assert {pid: shown[pid] for pid in ids} == {pid: d.isoformat() if d else None for pid, d in rule.items()}, \
                (step, group)
            for offset, words in ((0, ""), (7, ""), (7, "&q=Slump"), (30, "")):  # with and without words
                start_by = moment.date() + timedelta(days=offset)
                kept = set(_api_dates(api, staff_user, f"&start_by={start_by.isoformat()}{extra}{words}")) & set(ids)
                assert kept == {pid for pid, d in rule.items() if d is not None and d <= start_by}, (step, group, offset)
    assert stored_reads > 0  # the stored path was taken, not only the computed one


def test_a_refresh_never_stores_an_answer_a_booking_changed_meanwhile(db, engine, staff_user, monkeypatch):
    """The refresh reads a row's version, then the runs; a booking committed in between raises
    the version, so the refresh's answer (from the old runs) is not written."""
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite runs each refresh batch under BEGIN IMMEDIATE: no booking can commit inside it")
    programme = _programme(db, "Samtidig insats")
    real = next_free.answers_of_no_reservation
    booked = threading.Event()

    def book_in_between(session, programmes, **kw):
        answers = real(session, programmes, **kw)  # read before the booking: free from today

        def other():
            with Session(engine, expire_on_commit=False) as other_session:
                _make_booking(other_session, other_session.get(Programme, programme.id), start=date(2026, 3, 2),
                              end=date(2026, 3, 31), requester_id=staff_user.id, now=START)
            booked.set()

        worker = threading.Thread(target=other)
        worker.start()
        worker.join(30)
        return answers

    monkeypatch.setattr(next_free, "answers_of_no_reservation", book_in_between)
    with Session(engine) as session, session.begin():
        written, _last = next_free_index.refresh_stale(session, today=clock.today(), now=clock.now())
    assert booked.is_set()
    row = _row(engine, programme.id)
    assert written == 0 and not _is_fresh(row)
    monkeypatch.setattr(next_free, "answers_of_no_reservation", real)
    with Session(engine) as session, session.begin():
        next_free_index.refresh_stale(session, today=clock.today(), now=clock.now())
    assert _row(engine, programme.id).next_free_date == date(2026, 4, 1)
