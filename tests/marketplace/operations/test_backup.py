"""`insatstorget backup` while the service writes, and `insatstorget restore`: every booking, every öre."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from marketplace.bookings.models import Booking, BookingEvent
from marketplace.kernel.db import make_engine
from tests.factories import make_programme
from tests.marketplace.security._helpers import make_booking

CLI = [sys.executable, "-c", "from marketplace.cli import main; main()"]


def _cli(database_url: str, *args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "INSATSTORGET_DATABASE_URL": database_url, "INSATSTORGET_ENV": "test",
           "INSATSTORGET_SECRET_KEY": "test", "INSATSTORGET_INSTANCE_PATH": str(tmp_path / "cli-instance"),
           "INSATSTORGET_SCHEDULER_IN_PROCESS": "false"}
    return subprocess.run([*CLI, *args], env=env, capture_output=True, text=True, timeout=120, check=True)


class _Writer(threading.Thread):
    """Places bookings, each with its event in one transaction, until told to stop."""

    def __init__(self, engine, programme, requester_id: int):
        super().__init__(daemon=True)
        self.engine, self.programme, self.requester_id = engine, programme, requester_id
        self.committed: dict[str, int] = {}
        self.stop = threading.Event()
        self.errors: list[BaseException] = []

    def run(self):
        price = 100_001
        while not self.stop.is_set():
            try:
                with Session(self.engine) as session:
                    booking = make_booking(session, self.programme, requester_id=self.requester_id, status="approved",
                                           price_ore=price, commit=False)
                    session.flush()
                    session.add(BookingEvent(booking_id=booking.id, at=booking.created_at, to_status="approved"))
                    session.commit()
                    self.committed[booking.ref] = price
                price += 7
            except BaseException as error:  # a failed write would make the test meaningless
                self.errors.append(error)
                return


def _fresh_database(database_url: str, tmp_path: Path, name: str) -> str:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        return f"sqlite:///{tmp_path / (name + '.sqlite3')}"
    database = f"{url.database}_{name}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def _drop(database_url: str, url: str) -> None:
    if not url.startswith("postgresql"):
        return
    admin = create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _bookings(url: str) -> tuple[dict[str, int], int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = dict(session.execute(select(Booking.ref, Booking.price_ore)).all())
            without_event = session.execute(
                select(func.count()).select_from(Booking).where(~select(BookingEvent.id).where(BookingEvent.booking_id == Booking.id).exists())
            ).scalar_one()
        return rows, without_event
    finally:
        engine.dispose()


def test_a_backup_taken_under_load_restores_every_booking_and_every_ore(engine, db, database_url, tmp_path, staff_user):
    programme = make_programme(db, capacity=1000)
    writer = _Writer(engine, programme, staff_user.id)
    writer.start()
    while len(writer.committed) < 20 and not writer.errors:
        time.sleep(0.05)
    before = dict(writer.committed)
    _cli(database_url, "backup", str(tmp_path / "under-load.backup"), tmp_path=tmp_path)
    during = len(writer.committed) - len(before)
    time.sleep(0.3)
    writer.stop.set()
    writer.join(30)
    assert not writer.errors, writer.errors
    assert during > 0, "the writer must have kept writing while the backup ran"

    first = _fresh_database(database_url, tmp_path, "restored_under_load")
    quiet = _fresh_database(database_url, tmp_path, "restored_quiet")
    try:
        _cli(first, "restore", "--yes", str(tmp_path / "under-load.backup"), tmp_path=tmp_path)
        restored, without_event = _bookings(first)
        assert without_event == 0  # a consistent snapshot: no booking without its event
        assert before.items() <= restored.items()  # every booking committed before the backup, to the öre
        assert all(writer.committed[ref] == price for ref, price in restored.items())

        _cli(database_url, "backup", str(tmp_path / "quiet.backup"), tmp_path=tmp_path)
        _cli(quiet, "restore", "--yes", str(tmp_path / "quiet.backup"), tmp_path=tmp_path)
        restored, without_event = _bookings(quiet)
        assert restored == writer.committed and without_event == 0
        assert sum(restored.values()) == sum(writer.committed.values())
    finally:
        _drop(database_url, first)
        _drop(database_url, quiet)


def test_restore_refuses_a_missing_file(database_url, tmp_path):
    env = {**os.environ, "INSATSTORGET_DATABASE_URL": database_url, "INSATSTORGET_ENV": "test"}
    result = subprocess.run([*CLI, "restore", "--yes", str(tmp_path / "nope.backup")], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "does not exist" in result.stderr
