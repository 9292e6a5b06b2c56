"""Is the service running against this installation? `restore` must not replace the
database under a live service (its pooled connections and caches would go on with rows the
restore removed).

Two signs, either enough: the serving processes (gunicorn workers, `run`, `scheduler`) hold
a shared flock on <instance>/service.lock for their lifetime, so an exclusive try fails
while any is up; and on PostgreSQL, other client connections to the database (a service on
another host, a psql session) are counted. No Flask.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

LOCK_NAME = "service.lock"
_held: list[int] = []  # open for the process's lifetime: closing the file would drop the lock


def mark_running(instance_path: Path) -> Callable[[], None]:
    """Hold the shared 'service is running' lock until the process exits; returns a release (tests)."""
    instance_path.mkdir(parents=True, exist_ok=True)
    fd = os.open(instance_path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_SH)
    _held.append(fd)

    def release() -> None:
        if fd in _held:
            _held.remove(fd)
            os.close(fd)

    return release


def _locked_by_a_service(instance_path: Path) -> bool:
    path = instance_path / LOCK_NAME
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the exclusive lock if it was taken
    return False


def _other_connections(engine) -> int:
    if engine.dialect.name != "postgresql":
        return 0  # SQLite has no server that could tell
    with engine.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'")).scalar_one()


def why_busy(instance_path: Path, engine) -> str | None:
    """Why a restore should not run now, or None when nothing uses the database."""
    if _locked_by_a_service(instance_path):
        return f"the service is running (a process holds {instance_path / LOCK_NAME})"
    others = _other_connections(engine)
    if others:
        return f"{others} other connection(s) to the database are open"
    return None
