"""The SQLite write gate: one writer at a time across threads and processes, and a busy
database (503) rather than a hang when the holder does not let go in time."""

from __future__ import annotations

import multiprocessing
import threading
import time

import pytest
from sqlalchemy.exc import OperationalError

from marketplace.kernel.sqlite_gate import WriteGate, gate_for


def _hold_in_child(path: str, ready, release) -> None:
    gate = WriteGate(path, timeout_seconds=5)
    with gate.held():
        ready.set()
        release.wait(10)


def test_a_second_process_waits_for_the_holder_and_gets_a_busy_error_past_the_timeout(tmp_path):
    database = str(tmp_path / "db.sqlite3")
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    child = context.Process(target=_hold_in_child, args=(database, ready, release))
    child.start()
    try:
        assert ready.wait(30)
        waiting = WriteGate(database, timeout_seconds=0.2)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            with waiting.held():
                pass
        assert time.monotonic() - started >= 0.2
        release.set()
        child.join(10)
        with WriteGate(database, timeout_seconds=2).held():
            pass  # free again once the holder is gone
    finally:
        release.set()
        child.join(10)


def test_threads_of_one_process_take_turns(tmp_path):
    gate = WriteGate(str(tmp_path / "db.sqlite3"), timeout_seconds=5)
    inside, overlaps = [0], []

    def work():
        for _ in range(50):
            with gate.held():
                inside[0] += 1
                overlaps.append(inside[0])
                time.sleep(0.0002)
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(overlaps) == 200 and max(overlaps) == 1


def test_memory_databases_have_no_gate():
    assert gate_for(":memory:", 1) is None
    assert gate_for(None, 1) is None
    assert gate_for("/tmp/x.sqlite3", 1) is not None
