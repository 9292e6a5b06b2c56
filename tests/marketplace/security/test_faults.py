"""Fault tests: the database locked or gone, the mail server down, the scheduler killed mid-job."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from marketplace import privacy
from marketplace.notifications import notify
from marketplace.bookings.models import Booking
from marketplace.kernel.config import Settings
from marketplace.notifications.mail_templates import mail
from marketplace.notifications.models import OutboxMessage
from marketplace.scheduler import JobContext
from marketplace.privacy.models import ErasureRecord
from tests.factories import make_programme
from tests.marketplace.security._helpers import SECRET_NAME, audit_rows, make_booking

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def settings(settings):
    """A short lock timeout, so a blocked request gives up in a fraction of a second."""
    return settings.model_copy(update={"db_lock_timeout_ms": 300})


def _hold_write_lock(database_url: str):
    """Another connection that holds the write lock until closed (SQLite) or locks the table (PostgreSQL)."""
    if database_url.startswith("sqlite"):
        engine = create_engine(database_url, connect_args={"isolation_level": None})
        connection = engine.connect()
        connection.exec_driver_sql("BEGIN EXCLUSIVE")
    else:
        engine = create_engine(database_url)
        connection = engine.connect()
        connection.execute(text("LOCK TABLE booking IN ACCESS EXCLUSIVE MODE"))
    return engine, connection


def test_a_write_to_a_locked_database_answers_503_with_retry_after_and_writes_nothing(
        client, login, admin_user, db, staff_user, database_url):
    booking = make_booking(db, make_programme(db), requester_id=staff_user.id)
    login(admin_user)
    before = len(audit_rows(db))
    engine, connection = _hold_write_lock(database_url)
    try:
        started = time.monotonic()
        response = client.post("/admin/gallring", data={"ref": booking.ref, "reason": "Begäran, dnr 2026/1"})
        elapsed = time.monotonic() - started
    finally:
        connection.rollback()
        connection.close()
        engine.dispose()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "Inget har sparats" in response.get_data(as_text=True)
    assert elapsed < 10
    db.expire_all()
    assert db.get(Booking, booking.id).participant_name == SECRET_NAME
    assert db.execute(select(ErasureRecord)).first() is None
    assert len(audit_rows(db)) == before
    # Once the lock is gone the same request goes through.
    assert client.post("/admin/gallring", data={"ref": booking.ref, "reason": "Begäran, dnr 2026/1"}).status_code == 303


def test_the_api_answers_503_problem_json_while_the_database_is_locked(client, api, staff_user, database_url, db):
    caller = api(staff_user)
    engine, connection = _hold_write_lock(database_url)
    try:
        response = client.post("/api/v1/auth/token", json={"email": staff_user.email, "password": "fel-losenord"})
    finally:
        connection.rollback()
        connection.close()
        engine.dispose()
    if database_url.startswith("sqlite"):  # PostgreSQL's table lock is on booking, which sign-in never touches
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json" and response.headers["Retry-After"] == "5"
    assert caller.get("/api/v1/me").status_code == 200


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_database_that_is_gone_gives_503_not_500(tmp_path, database_url):
    from marketplace.app import create_app

    if database_url.startswith("sqlite"):
        missing = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    else:
        missing = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/gone"
    app = create_app(Settings(env="test", database_url=missing, secret_key="x", instance_path=tmp_path / "i",
                              scheduler_in_process=False))
    try:
        page = app.test_client().get("/healthz")
        api_response = app.test_client().post("/api/v1/auth/token", json={"email": "a@b.se", "password": "x"})
    finally:
        app.extensions["insatstorget"].engine.dispose()
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert api_response.status_code == 503 and api_response.mimetype == "application/problem+json"


def test_the_service_recovers_when_postgresql_drops_its_connections(client, database_url, engine):
    if database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL only: SQLite has no server connections to lose")
    assert client.get("/healthz").status_code == 200
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    admin.dispose()
    assert client.get("/healthz").status_code == 200  # pool_pre_ping reconnects


# --- mail server down ----------------------------------------------------------------------


def _queue_mail(db, user) -> None:
    notify.notify(db, user=user, message="Din förfrågan är godkänd.", now=NOW, mail=mail("booking_approved", "B-2026-000001"))
    db.commit()


def test_mail_waits_in_the_outbox_while_the_server_is_down_and_goes_when_it_is_back(engine, db, settings, staff_user):
    from aiosmtpd.controller import Controller

    from marketplace.bookings.jobs import send_mail

    _queue_mail(db, staff_user)
    port = _closed_port()
    down = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    assert send_mail(JobContext(engine=engine, settings=down, now=NOW)) == 0
    db.commit(), db.expire_all()  # a fresh snapshot
    [waiting] = db.execute(select(OutboxMessage)).scalars().all()
    assert waiting.sent_at is None and waiting.attempts == 1 and waiting.last_error

    class _Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 OK"

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        later = NOW + timedelta(hours=2)  # past any retry back-off
        assert send_mail(JobContext(engine=engine, settings=down, now=later)) == 1
        assert send_mail(JobContext(engine=engine, settings=down, now=later + timedelta(minutes=1))) == 0
    finally:
        controller.stop()
    assert [envelope.rcpt_tos for envelope in inbox.messages] == [[staff_user.email]]
    db.commit(), db.expire_all()
    assert db.execute(select(OutboxMessage)).scalar_one().sent_at is not None


# --- scheduler killed mid-job --------------------------------------------------------------

_CHILD = textwrap.dedent("""
    import sys, time
    from datetime import datetime
    from marketplace.privacy import retention_job as retention_jobs
    from marketplace.kernel.config import Settings
    from marketplace.kernel.db import make_engine
    from marketplace.scheduler import JobSpec, run_job

    slow_batch = retention_jobs._erase_batch

    def _erase_batch(*args, **kwargs):  # slow each batch down so the parent can kill us between two
        done = slow_batch(*args, **kwargs)
        print("batch", done, flush=True)
        time.sleep(30)
        return done

    retention_jobs._erase_batch = _erase_batch
    settings = Settings(env="test", database_url=sys.argv[1], secret_key="x")
    spec = JobSpec("marketplace.erase_expired_personal_data", retention_jobs.erase_expired_personal_data, None)
    run_job(spec, make_engine(sys.argv[1]), settings, now=datetime.fromisoformat(sys.argv[2]))
""")


def test_a_job_killed_halfway_is_completed_exactly_once_by_the_next_run(engine, db, settings, staff_user, database_url):
    from marketplace.privacy.retention_job import BATCH
    from marketplace.scheduler import JobSpec, run_job
    from marketplace.privacy.retention_job import erase_expired_personal_data

    programme = make_programme(db)
    total = BATCH * 2 + 7
    for _ in range(total):
        make_booking(db, programme, requester_id=staff_user.id, commit=False)
    db.commit()
    child = subprocess.Popen([sys.executable, "-c", _CHILD, database_url, NOW.isoformat()],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ})
    try:
        line = child.stdout.readline().strip()
        assert line == f"batch {BATCH}", child.stderr.read() if child.poll() is not None else line
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)  # waits, and closes the pipes
    with Session(engine) as session:
        left = session.execute(select(Booking.id).where(Booking.participant_name.is_not(None))).all()
    assert len(left) == total - BATCH  # the first batch committed whole, nothing of the second

    spec = JobSpec("marketplace.erase_expired_personal_data", erase_expired_personal_data, None)
    assert run_job(spec, engine, settings, now=NOW + timedelta(minutes=1)) is None  # the dead run's lease still holds
    assert run_job(spec, engine, settings, now=NOW + timedelta(minutes=31)) == total - BATCH
    assert run_job(spec, engine, settings, now=NOW + timedelta(minutes=62)) == 0
    rows = audit_rows(db, privacy.ERASE_ACTION)
    assert sorted(int(row.object_id) for row in rows) == sorted(b.id for b in db.execute(select(Booking)).scalars())
    assert db.execute(select(ErasureRecord.booking_id)).scalars().all().__len__() == total
