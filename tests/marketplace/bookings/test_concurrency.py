"""Races: many threads in several processes ask for the last places at once, through the API,
against one real database file (SQLite) or server (PostgreSQL). Exactly the free places are
won; with the programme lock switched off (a test-only setting) the same race overbooks."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from marketplace.auth.tokens import issue_api_token
from marketplace.bookings import capacity
from marketplace.bookings.models import Booking, IdempotencyRecord
from marketplace.kernel.config import Settings
from tests.marketplace.bookings._factories import _make_booking, _make_programme

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
START = date(2026, 3, 16)
PROCESSES = 2
THREADS = 4  # per process, and as many again in the test's own process


def _body(programme_id: int) -> dict:
    return {
        "programme_id": programme_id, "start_date": START.isoformat(), "end_date": (START + timedelta(days=13)).isoformat(),
        "participant": {"reference": "ÄR-1", "name": "Deltagare"},
        "assignment": {"purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter"},
    }


def _settings(database_url: str, instance: str, unsafe: bool) -> Settings:
    return Settings(env="test", database_url=database_url, secret_key="race", instance_path=instance, now=NOW,
                    scheduler_in_process=False, unsafe_disable_capacity_lock=unsafe)


def _contend(app, token: str, programme_id: int, barrier, results: list, key: str | None) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    barrier.wait(timeout=120)
    response = client.post("/api/v1/bookings", json=_body(programme_id), headers=headers)
    body = response.get_json(silent=True) or {}
    results.append((response.status_code, body.get("id")))


def _run_threads(app, token, programme_id, barrier, key) -> list:
    results: list = []
    threads = [threading.Thread(target=_contend, args=(app, token, programme_id, barrier, results, key)) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _worker_loop(jobs, results) -> None:
    """A spawned process: import once, then run each race it is given with its own app and pool."""
    from marketplace.app import create_app

    while (job := jobs.get()) is not None:
        database_url, instance, unsafe, token, programme_id, barrier, key = job
        app = create_app(_settings(database_url, instance, unsafe))
        try:
            results.put(_run_threads(app, token, programme_id, barrier, key))
        except Exception as error:  # reported to the test, which fails on the missing results
            results.put([(f"error: {error!r}", None)])
        finally:
            app.extensions["insatstorget"].engine.dispose()


@pytest.fixture(scope="module")
def workers():
    """PROCESSES spawned processes kept for the module (spawning and importing is the slow part)."""
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


def _race(workers, database_url, tmp_path, token, programme_id, *, unsafe=False, key=None) -> list[tuple[int, int | None]]:
    """Every contender posts at the same moment; returns (status, booking id) of each."""
    from marketplace.app import create_app

    manager, queues, results_queue = workers
    barrier = manager.Barrier(PROCESSES * THREADS + THREADS)
    for i, queue in enumerate(queues):
        queue.put((database_url, str(tmp_path / f"p{i}"), unsafe, token, programme_id, barrier, key))
    app = create_app(_settings(database_url, str(tmp_path / "main"), unsafe))
    try:
        results = _run_threads(app, token, programme_id, barrier, key)
        for _ in queues:
            results += results_queue.get(timeout=180)
    finally:
        app.extensions["insatstorget"].engine.dispose()
    return results


def _token(db, user) -> str:
    secret, _token_row = issue_api_token(db, user, now=NOW, lifetime=timedelta(hours=8))
    db.commit()
    return secret


def _peak(db, programme) -> int:
    db.rollback()
    counts = capacity.committed_by_day(db, programme.id, START, START + timedelta(days=13), now=NOW)
    return max(counts.values())


def test_many_threads_in_several_processes_win_exactly_the_free_places(workers, database_url, tmp_path, db, staff_user):
    programme = _make_programme(db, capacity=3)
    _make_booking(db, programme, status="approved", start=START, end=START + timedelta(days=30), requester_id=staff_user.id)
    token = _token(db, staff_user)

    results = _race(workers, database_url, tmp_path, token, programme.id)

    statuses = sorted(status for status, _id in results)
    assert len(results) == PROCESSES * THREADS + THREADS
    assert statuses.count(201) == 2, statuses  # exactly the two free places
    assert statuses.count(409) == len(results) - 2, statuses
    assert _peak(db, programme) == 3
    assert len(set(booking_id for status, booking_id in results if status == 201)) == 2


def test_concurrent_retries_with_one_idempotency_key_make_one_booking(workers, database_url, tmp_path, db, staff_user):
    programme = _make_programme(db, capacity=50)
    token = _token(db, staff_user)

    results = _race(workers, database_url, tmp_path, token, programme.id, key="retry-7f3a")

    assert {status for status, _id in results} == {201}
    assert len({booking_id for _status, booking_id in results}) == 1
    db.rollback()
    assert len(db.execute(select(Booking.id)).all()) == 1
    assert len(db.execute(select(IdempotencyRecord.id)).all()) == 1


def test_without_the_programme_lock_the_same_race_overbooks(workers, database_url, tmp_path, db, staff_user):
    """Proves the race test can fail: unsafe_disable_capacity_lock skips the lock (and, on
    SQLite, the transaction that takes it). A race is a matter of timing, so it gets a few rounds."""
    token = _token(db, staff_user)
    peaks = []
    for round_ in range(4):
        programme = _make_programme(db, capacity=1)
        results = _race(workers, database_url, tmp_path / f"r{round_}", token, programme.id, unsafe=True)
        peaks.append(_peak(db, programme))
        if peaks[-1] > 1:
            break
    assert max(peaks) > 1, f"no overbooking in {len(peaks)} rounds: {peaks} (results {results})"
