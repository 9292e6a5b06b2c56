"""Scale-out: two `serve` processes and two `scheduler` processes on one database.

Requests go through both servers at once and still never overbook; both schedulers run
every job at the same moment and each effect happens once: every lapsed hold expires once,
every outbox mail reaches the SMTP server once, the previous month is closed once.
Runs on SQLite (one file, WAL) and on PostgreSQL (INSATSTORGET_TEST_DATABASE_URL).
"""

from __future__ import annotations

import json
import socketserver
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from benchmarks.harness import ROOT, Server, request, service_env
from billing.models import BillingPeriod, ChargeLine
from marketplace.bookings.models import Booking, BookingEvent
from marketplace.kernel.job_models import JobLock
from marketplace.notifications.models import OutboxMessage
from tests.factories import DEFAULT_PASSWORD, make_programme, make_user

CAPACITY = 3
REQUESTS_PER_SERVER = 4


class _SmtpSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to accept mail and remember each message's Message-ID."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        self.message_ids: list[str] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _SmtpHandler)


class _SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.strip().split(b" ", 1)[0].upper()
            if verb == b"DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    chunk = self.rfile.readline()
                    if not chunk:
                        return
                    data += chunk
                for header in data.split(b"\r\n"):
                    if header.lower().startswith(b"message-id:"):
                        with self.server.lock:
                            self.server.message_ids.append(header.split(b":", 1)[1].strip().decode())
                self.wfile.write(b"250 queued\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def _token(port: int, email: str) -> str:
    status, _, body = request("127.0.0.1", port, "POST", "/api/v1/auth/token",
                              body=json.dumps({"email": email, "password": DEFAULT_PASSWORD}).encode(),
                              headers={"Content-Type": "application/json"})
    assert status == 200, body
    return json.loads(body)["token"]


def _book(port: int, token: str, programme_id: int, start: date, number: int) -> int:
    payload = {
        "programme_id": programme_id, "start_date": start.isoformat(), "end_date": (start + timedelta(days=27)).isoformat(),
        "participant": {"reference": f"P-{number}", "name": f"Deltagare {number}"},
        "assignment": {"purpose": "Pröva arbetsförmåga.", "goals": "Arbete.", "tasks": "Enligt schema."},
    }
    status, _, _ = request("127.0.0.1", port, "POST", "/api/v1/bookings", body=json.dumps(payload).encode(),
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                    "Idempotency-Key": f"scale-out-{port}-{number}"})
    return status


def _scheduler(database_url: str, instance, now: datetime, smtp_port: int) -> subprocess.Popen:
    env = service_env(database_url, instance, INSATSTORGET_ENV="test", INSATSTORGET_NOW=now.isoformat(),
                      INSATSTORGET_SMTP_HOST="127.0.0.1", INSATSTORGET_SMTP_PORT=str(smtp_port),
                      INSATSTORGET_BILLING_CLOSE_DAY="1", INSATSTORGET_LOG_LEVEL="WARNING")
    return subprocess.Popen([sys.executable, "-m", "marketplace.cli", "scheduler", "--once"], env=env, cwd=str(ROOT),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_two_servers_and_two_schedulers_share_one_database_and_do_everything_once(db, settings, tmp_path):
    programme = make_programme(db, capacity=CAPACITY)
    other = make_programme(db, code="SCALE-2", organisation="HV", capacity=2)
    make_user(db, organisation="RK", roles=["staff"], email="staff.rk@scale.test")
    make_user(db, organisation="ST", roles=["staff"], email="staff.st@scale.test")
    make_user(db, organisation="AMF", roles=["coordinator"], email="coord.amf@scale.test")
    real_now = datetime.now(timezone.utc)
    start = real_now.date() + timedelta(days=14)
    # A placement last month, approved directly, so that the scheduler has a month to close.
    later = real_now + timedelta(days=40)
    month_start = date(later.year, later.month, 1)
    last_month_end = month_start - timedelta(days=1)
    from catalog.models import Organisation
    from marketplace.auth.models import User

    rk = db.execute(select(Organisation).where(Organisation.code == "RK")).scalar_one()
    requester = db.execute(select(User).where(User.email == "staff.rk@scale.test")).scalar_one()
    db.add(Booking(ref="B-SCALE-1", programme_id=other.id, buyer_organisation_id=rk.id, requester_id=requester.id,
                   status="approved", start_date=last_month_end.replace(day=1), end_date=last_month_end,
                   price_ore=300_000, price_unit="month", participant_reference="P-x", assignment_purpose="p",
                   assignment_goals="g", assignment_tasks="t", created_at=real_now, updated_at=real_now))
    db.commit()

    instance = tmp_path / "instance"
    with Server(settings.database_url, instance, workers=2) as first, Server(settings.database_url, instance, workers=2) as second:
        tokens = {first.port: _token(first.port, "staff.rk@scale.test"), second.port: _token(second.port, "staff.st@scale.test")}
        jobs = [(port, n) for port in (first.port, second.port) for n in range(REQUESTS_PER_SERVER)]
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            statuses = list(pool.map(lambda job: (job[0], _book(job[0], tokens[job[0]], programme.id, start, job[1])), jobs))

    accepted = [port for port, status in statuses if status == 201]
    assert sorted(status for _, status in statuses) == [201] * CAPACITY + [409] * (len(jobs) - CAPACITY), statuses
    db.rollback()
    assert db.execute(select(func.count()).select_from(Booking).where(Booking.programme_id == programme.id)).scalar() == CAPACITY
    assert {port for port, _ in statuses} == {first.port, second.port} and accepted

    sink = _SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    try:
        # Both schedulers at the same moment, 40 days on: every hold has lapsed and last month has ended.
        frozen = real_now + timedelta(days=40)
        processes = [_scheduler(settings.database_url, instance, frozen, sink.server_address[1]) for _ in range(2)]
        outputs = [process.communicate(timeout=180)[0] for process in processes]
        assert [process.returncode for process in processes] == [0, 0], "\n=====\n".join(outputs)
        # A second run finds nothing left to do but mail the expiry notices the first run wrote.
        again = [_scheduler(settings.database_url, instance, frozen, sink.server_address[1]) for _ in range(2)]
        outputs += [process.communicate(timeout=180)[0] for process in again]
        assert [process.returncode for process in again] == [0, 0], outputs
    finally:
        sink.shutdown()
        sink.server_close()

    db.rollback()  # end this session's read snapshot (SQLite WAL) to see what the schedulers wrote
    requested = list(db.execute(select(Booking).where(Booking.programme_id == programme.id)).scalars())
    assert [booking.status for booking in requested] == ["expired"] * CAPACITY, "\n=====\n".join(outputs)
    for booking in requested:
        expiries = db.execute(select(func.count()).select_from(BookingEvent).where(
            BookingEvent.booking_id == booking.id, BookingEvent.to_status == "expired")).scalar()
        assert expiries == 1, (booking.ref, outputs)

    sent_ids = {f"<outbox-{row_id}@insatstorget>" for row_id in db.execute(
        select(OutboxMessage.id).where(OutboxMessage.sent_at.is_not(None))).scalars()}
    total_mail = db.execute(select(func.count()).select_from(OutboxMessage)).scalar()
    assert total_mail > 0 and len(sent_ids) == total_mail
    assert sorted(sink.message_ids) == sorted(sent_ids), "each mail reaches the SMTP server exactly once"

    period = f"{last_month_end:%Y-%m}"
    closed = db.get(BillingPeriod, period)
    assert closed is not None and closed.status == "closed" and closed.line_count == 1
    assert db.execute(select(func.count()).select_from(ChargeLine).where(ChargeLine.period == period)).scalar() == 1
    closes = [line for output in outputs for line in output.splitlines() if line.startswith("billing.close_previous_month: 1")]
    assert len(closes) == 1, outputs
    assert all(lock.locked_until <= frozen for lock in db.execute(select(JobLock)).scalars())
