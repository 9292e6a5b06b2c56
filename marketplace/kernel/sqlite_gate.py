"""A wake-up-at-once queue for SQLite's single writer.

SQLite lets one writer in at a time and makes the others retry on a backoff of 1, 2, 5,
10, 15, 20, 25 … ms (its busy handler). Under a burst of booking requests the lock then
sits idle while every waiter sleeps: measured, server p95 near 700 ms at 16 clients and
fewer than 70 accepted requests/s (benchmarks/RESULTS.md). Write-locked transactions
therefore first pass this gate: a thread lock inside the process (waiters wake the
moment it is free) and an flock on a file beside the database across processes (one
waiter per process polls it every half millisecond). Past the timeout the caller gets
the same OperationalError as a busy database, so the request ends in 503 + Retry-After.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError

POLL_SECONDS = 0.0005


class WriteGate:
    def __init__(self, database_path: str, timeout_seconds: float):
        self.path = database_path + "-writegate"
        self.timeout = timeout_seconds
        self._thread_lock = threading.Lock()
        self._fd: int | None = None
        self._fd_pid: int | None = None

    def _file(self) -> int:
        # A forked child must not share its parent's open file: flock is per open file.
        if self._fd is None or self._fd_pid != os.getpid():
            self._fd, self._fd_pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        return self._fd

    @contextmanager
    def held(self) -> Iterator[None]:
        deadline = time.monotonic() + self.timeout
        if not self._thread_lock.acquire(timeout=self.timeout):
            raise _busy()
        try:
            try:
                fd = self._file()
            except OSError as error:  # the database's folder is gone: unavailable (503), not a 500
                raise _unavailable(error) from error
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise _busy() from None
                    time.sleep(POLL_SECONDS)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


def _busy() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))


def _unavailable(error: OSError) -> OperationalError:
    return OperationalError("open write gate", {}, sqlite3.OperationalError(f"unable to open database file: {error.strerror}"))


def gate_for(url_database: str | None, timeout_seconds: float) -> WriteGate | None:
    """A gate for a file database; None for an in-memory one (a single connection anyway)."""
    if not url_database or url_database == ":memory:" or url_database.startswith("file::memory:"):
        return None
    return WriteGate(os.path.abspath(url_database), timeout_seconds)
