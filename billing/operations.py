"""What every entry point (page, API, CLI, scheduler) does to close a month or fetch a file.

Each step is its own transaction: the close (all or nothing), then the files (made from the
committed rows, so they leave the process only after commit). Adapters call these.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from billing.month_close import CloseResult, close_month
from billing.signals import month_closed
from billing.storage import FORMATS, STALE_TEMP_SECONDS, StoredFile, ensure_files, remove_leftovers
from marketplace import audit
from marketplace.auth.policy import Actor
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import NotFound


def close_and_store(session: Session, period: str, *, actor: Actor | None, now: datetime, instance_path: Path,
                    ip: str | None = None) -> tuple[CloseResult, list[StoredFile]]:
    """Close `period` (idempotent) and make sure its files exist; returns both. Removes the
    temp files a killed close left in the instance's billing folder (old enough not to be a
    download being written now)."""
    with transaction(session, write_lock=True):
        result = close_month(session, period, actor=actor, now=now, ip=ip)
        if result.closed_now:
            month_closed.send(result, session=session, now=now)  # e.g. webhooks, in this transaction
    remove_leftovers(instance_path / "billing", older_than_seconds=STALE_TEMP_SECONDS)
    return result, _ensure(session, period, instance_path, now)


def _ensure(session: Session, period: str, instance_path: Path, now: datetime) -> list[StoredFile]:
    """ensure_files in its own transaction; if another process recorded the files first, use its record."""
    for attempt in (1, 2):
        try:
            # The retry takes SQLite's write lock first, so it cannot lose the race again.
            with transaction(session, write_lock=attempt == 2):
                return ensure_files(session, period, instance_path, now=now)
        except (IntegrityError, OperationalError):
            # OperationalError: on SQLite another process wrote after this transaction read
            # (its snapshot cannot become a write); a fresh transaction sees its rows.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def fetch_file(session: Session, period: str, fmt: str, *, actor: Actor | None, now: datetime, instance_path: Path,
               ip: str | None = None) -> StoredFile:
    """The stored file of a closed month (made again if missing), with the download audited."""
    if fmt not in FORMATS:
        raise NotFound(f"Unknown file format {fmt!r}; use csv, xlsx or sie.", code="unknown_format")
    stored = {f.format: f for f in _ensure(session, period, instance_path, now)}[fmt]
    with transaction(session):
        audit.record(session, actor=actor, action="billing.download", object_type="billing_period", object_id=period,
                     now=now, ip=ip, details={"format": fmt, "sha256": stored.sha256})
    return stored
