"""Races for reserved places: many threads in several processes ask at once, through the API,
against one real database file (SQLite) or server (PostgreSQL). Requests of no reservation win
exactly the unreserved places, a target group's requests exactly what is left for them; with
the programme lock switched off (a test-only setting) the same race takes more."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date, datetime, timedelta, timezone

import pytest

from catalog.models import ProgrammeReservation
from marketplace.auth.tokens import issue_api_token
from marketplace.bookings import reserved_days
from marketplace.kernel.config import Settings
from tests.marketplace.bookings._factories import _make_booking, _make_programme

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
START = date(2026, 3, 16)
END = START + timedelta(days=13)
GROUP = "young_adults"
PROCESSES = 2
THREADS = 4  # per process, and as many again in the test's own process


def _body(programme_id: int, group: str | None) -> dict:
    body = {
        "programme_id": programme_id, "start_date": START.isoformat(), "end_date": END.isoformat(),
        "participant": {"reference": "ÄR-1", "name": "Deltagare"},
        "assignment": {"purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter"},
    }
    if group:
        body["participant_target_group"] = group
    return body


def _settings(database_url: str, instance: str, unsafe: bool) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key="race", instance_path=instance, now=NOW,
                    scheduler_in_process=False, unsafe_disable_capacity_lock=unsafe)


def _contend(app, token: str, body: dict, barrier, results: list) -> None:
    client = app.test_client()
    barrier.wait(timeout=120)
    response = client.post("/api/v1/bookings", json=body, headers={"Authorization": f"Bearer {token}"})
    results.append(response.status_code)


def _run_threads(app, token, body, barrier) -> list:
    results: list = []
    threads = [threading.Thread(target=_contend, args=(app, token, body, barrier, results)) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _worker_loop(jobs, results) -> None:
    """A spawned process: import once, then run each race it is given with its own app and pool."""
    from marketplace.app import create_app

    while (job := jobs.get()) is not None:
        database_url, instance, unsafe, token, body, barrier = job
        app = create_app(_settings(database_url, instance, unsafe))
        try:
            results.put(_run_threads(app, token, body, barrier))
        except Exception as error:  # reported to the test, which fails on the missing results
            results.put([f"error: {error!r}"])
        finally:
            app.extensions["insatstorget"].engine.dispose()


@pytest.fixture(scope="module")
def workers():
    context = multiprocessing.get_context("spawn")
    manager = context.Manager()
    results = context.Queue()
    queues = [context.Queue() for _ in range(PROCESSES)]
    processes = [context.Process(target=_worker_loop, args=(queue, results), daemon=True) for queue in queues]
    for process in processes:
        process.start()
    yield manager, queues, results
    for queue in queues:
        queue.put(None)
    for process in processes:
        process.join(timeout=30)
    manager.shutdown()


def _race(workers, database_url, tmp_path, token, body, *, unsafe=False) -> list:
    """Every contender posts `body` at the same moment; returns the status of each."""
    from marketplace.app import create_app

    manager, queues, results_queue = workers
    barrier = manager.Barrier(PROCESSES * THREADS + THREADS)
    for i, queue in enumerate(queues):
        queue.put((database_url, str(tmp_path / f"p{i}"), unsafe, token, body, barrier))
    app = create_app(_settings(database_url, str(tmp_path / "main"), unsafe))
    try:
        results = _run_threads(app, token, body, barrier)
        for _ in queues:
            results += results_queue.get(timeout=180)
    finally:
        app.extensions["insatstorget"].engine.dispose()
    return results


def _token(db, user) -> str:
    secret, _token_row = issue_api_token(db, user, now=NOW, lifetime=timedelta(hours=8))
    db.commit()
    return secret


def _reserved_programme(db, *, capacity: int, places: int):
    programme = _make_programme(db, capacity=capacity)
    db.add(ProgrammeReservation(programme_id=programme.id, target_group_code=GROUP, places=places))
    programme.reserved_places = places
    db.commit()
    return programme


def _peak_unreserved(db, programme) -> tuple[int, int]:
    """(most places taken by bookings of no reservation on a day, most taken in all)."""
    db.rollback()
    pools = reserved_days.pools_of(db, programme.id, programme.capacity)
    counts = reserved_days.counts_by_day(db, programme.id, pools, START, END, now=NOW)
    return max(c.get(None, 0) for c in counts.values()), max(sum(c.values()) for c in counts.values())


def test_requests_of_no_reservation_win_exactly_the_unreserved_places_then_the_group_the_rest(
        workers, database_url, tmp_path, db, staff_user):
    programme = _reserved_programme(db, capacity=4, places=2)  # 2 unreserved
    _make_booking(db, programme, status="approved", start=START, end=END + timedelta(days=30), requester_id=staff_user.id)
    token = _token(db, staff_user)

    generic = _race(workers, database_url, tmp_path / "generic", token, _body(programme.id, None))
    assert len(generic) == PROCESSES * THREADS + THREADS
    assert sorted(generic).count(201) == 1, generic  # the one unreserved place left
    assert sorted(generic).count(409) == len(generic) - 1, generic
    assert _peak_unreserved(db, programme) == (2, 2)

    grouped = _race(workers, database_url, tmp_path / "group", token, _body(programme.id, GROUP))
    assert sorted(grouped).count(201) == 2, grouped  # the two reserved places
    assert sorted(grouped).count(409) == len(grouped) - 2, grouped
    assert _peak_unreserved(db, programme) == (2, 4)


def test_without_the_programme_lock_the_reserved_race_takes_more(workers, database_url, tmp_path, db, staff_user):
    """Proves the race test can fail: unsafe_disable_capacity_lock skips the lock (and, on
    SQLite, the transaction that takes it). A race is a matter of timing, so it gets a few rounds."""
    token = _token(db, staff_user)
    peaks = []
    for round_ in range(4):
        programme = _reserved_programme(db, capacity=3, places=2)  # 1 unreserved
        results = _race(workers, database_url, tmp_path / f"r{round_}", token, _body(programme.id, None), unsafe=True)
        peaks.append(_peak_unreserved(db, programme)[0])
        if peaks[-1] > 1:
            break
    assert max(peaks) > 1, f"no overbooking of the unreserved place in {len(peaks)} rounds: {peaks} (results {results})"
