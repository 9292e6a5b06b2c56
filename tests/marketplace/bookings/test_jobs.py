"""Scheduler jobs at a frozen `now`: expire holds, start placements, offer freed places, send
mail; each idempotent and safe when two schedulers run it at once."""

from __future__ import annotations

import socket
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace import scheduler
from marketplace.bookings import jobs
from marketplace.bookings.models import Booking, BookingEvent
from marketplace.kernel.db import make_engine
from marketplace.notifications.models import Notification, OutboxMessage
from marketplace.scheduler import JobContext
from tests.marketplace.bookings._factories import _make_booking, _make_programme
from tests.marketplace.bookings._helpers import NOW, _request

HOLD_END = NOW + timedelta(days=10)


def _ctx(engine, settings, now):
    return JobContext(engine=engine, settings=settings, now=now)


def _statuses(db, *bookings):
    db.rollback()  # end any read snapshot
    db.expire_all()  # and forget loaded rows: read what the jobs committed
    return [db.get(Booking, b.id).status for b in bookings]


def _events(db, booking, to_status):
    return db.execute(select(func.count(BookingEvent.id)).where(
        BookingEvent.booking_id == booking.id, BookingEvent.to_status == to_status)).scalar_one()


def test_expire_holds_expires_exactly_the_lapsed_holds_and_is_idempotent(engine, settings, db, staff_user):
    programme = _make_programme(db, capacity=3)
    lapsed = _request(db, staff_user, programme)
    fresh = _request(db, staff_user, programme, now=NOW + timedelta(days=1))

    assert jobs.expire_holds(_ctx(engine, settings, HOLD_END - timedelta(seconds=1))) == 0
    assert jobs.expire_holds(_ctx(engine, settings, HOLD_END)) == 1
    assert jobs.expire_holds(_ctx(engine, settings, HOLD_END)) == 0
    assert _statuses(db, lapsed, fresh) == ["expired", "requested"]
    assert _events(db, lapsed, "expired") == 1
    note = db.execute(select(Notification).where(Notification.user_id == staff_user.id, Notification.message.contains("gick ut")))
    assert note.scalar_one().link == f"/placeringar/{lapsed.id}"


def test_an_expired_hold_offers_its_place_to_the_waitlist_in_order(engine, settings, db, staff_user, other_staff_user):
    programme = _make_programme(db, capacity=1)
    holder = _request(db, staff_user, programme, start=date(2026, 3, 16), weeks=4)
    first = _request(db, other_staff_user, programme, start=date(2026, 3, 16), weeks=2, waitlist=True, now=NOW + timedelta(hours=1))
    second = _request(db, staff_user, programme, start=date(2026, 3, 16), weeks=2, waitlist=True, now=NOW + timedelta(hours=2))

    assert jobs.expire_holds(_ctx(engine, settings, HOLD_END)) == 2  # one expired, one offered
    assert _statuses(db, holder, first, second) == ["expired", "requested", "waitlisted"]
    assert db.get(Booking, first.id).hold_expires_at == HOLD_END + timedelta(days=settings.hold_days)


def test_a_place_freed_without_a_transition_is_offered_by_the_job(engine, settings, db, staff_user):
    programme = _make_programme(db, capacity=1)
    _make_booking(db, programme, status="approved", start=date(2026, 3, 16), end=date(2026, 3, 31), requester_id=staff_user.id)
    waiting = _request(db, staff_user, programme, start=date(2026, 3, 16), weeks=1, waitlist=True)
    programme.capacity = 2  # the coordinator adds a place
    db.commit()

    assert jobs.expire_holds(_ctx(engine, settings, NOW + timedelta(minutes=5))) == 1
    assert _statuses(db, waiting) == ["requested"]


def test_start_placements_starts_approved_bookings_on_their_start_date(engine, settings, db, staff_user):
    programme = _make_programme(db, capacity=5)
    today = _make_booking(db, programme, status="approved", start=date(2026, 3, 16), requester_id=staff_user.id)
    late = _make_booking(db, programme, status="approved", start=date(2026, 3, 10), requester_id=staff_user.id)
    future = _make_booking(db, programme, status="approved", start=date(2026, 3, 17), requester_id=staff_user.id)
    request = _make_booking(db, programme, status="requested", start=date(2026, 3, 16), requester_id=staff_user.id)
    morning = datetime(2026, 3, 15, 23, 30, tzinfo=timezone.utc)  # 00:30 on 16 March in Stockholm

    assert jobs.start_placements(_ctx(engine, settings, morning)) == 2
    assert jobs.start_placements(_ctx(engine, settings, morning)) == 0
    assert _statuses(db, today, late, future, request) == ["active", "active", "approved", "requested"]
    assert _events(db, today, "active") == 1


def test_two_schedulers_running_expire_holds_at_once_expire_each_hold_once(settings, db, staff_user):
    programme = _make_programme(db, capacity=20)
    holds = [_request(db, staff_user, programme) for _ in range(8)]
    engines = [make_engine(settings.resolved_database_url()) for _ in range(2)]
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def _scheduler(engine):
        barrier.wait()
        counts.append(jobs.expire_holds(_ctx(engine, settings, HOLD_END)))

    threads = [threading.Thread(target=_scheduler, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()

    assert sum(counts) == 8
    assert _statuses(db, *holds) == ["expired"] * 8
    assert [_events(db, hold, "expired") for hold in holds] == [1] * 8


def test_the_job_lease_lets_only_one_of_two_schedulers_run_the_job(settings, db, staff_user, monkeypatch):
    _request(db, staff_user, _make_programme(db, capacity=2))
    spec = next(s for s in scheduler.jobs() if s.id == "marketplace.expire_holds")
    engines = [make_engine(settings.resolved_database_url()) for _ in range(2)]
    entered, release = threading.Event(), threading.Event()
    inner = spec.func

    def _slow(ctx):
        entered.set()
        release.wait(timeout=30)
        return inner(ctx)

    slow_spec = scheduler.JobSpec(spec.id, _slow, spec.trigger)
    outcomes = {}
    monkeypatch.setattr(scheduler, "HOLDER", "host-a:1")  # two schedulers are two processes
    first = threading.Thread(target=lambda: outcomes.__setitem__("first", scheduler.run_job(slow_spec, engines[0], settings, HOLD_END)))
    first.start()
    assert entered.wait(timeout=30)
    monkeypatch.setattr(scheduler, "HOLDER", "host-b:2")
    outcomes["second"] = scheduler.run_job(spec, engines[1], settings, HOLD_END)
    release.set()
    first.join(timeout=30)
    for engine in engines:
        engine.dispose()

    assert outcomes == {"first": 1, "second": None}


def test_every_booking_job_is_registered_with_the_scheduler():
    ids = {spec.id: spec.func for spec in scheduler.jobs()}
    assert ids["marketplace.expire_holds"] is jobs.expire_holds
    assert ids["marketplace.start_placements"] is jobs.start_placements
    assert ids["marketplace.send_mail"] is jobs.send_mail


# --- mail -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp_port():
    return _free_port()


def _queue_mail(db, n=2):
    for i in range(n):
        db.add(OutboxMessage(recipient=f"person{i}@example.se", subject=f"Besked {i}", body="Logga in.", created_at=NOW,
                             next_attempt_at=NOW))
    db.commit()


def test_mail_waits_while_the_server_is_down_and_is_sent_when_it_is_back(engine, settings, db, smtp_port):
    from aiosmtpd.controller import Controller

    _queue_mail(db)
    mail_settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp_port})

    assert jobs.send_mail(_ctx(engine, mail_settings, NOW)) == 0  # nobody listens on the port
    db.rollback()
    db.expire_all()
    failed = db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert [m.sent_at for m in failed] == [None, None]
    assert failed[0].attempts == 1 and "Error" in failed[0].last_error
    assert failed[0].next_attempt_at == NOW + timedelta(minutes=1)
    assert failed[1].attempts == 0  # the run stopped at the first connection failure

    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        assert jobs.send_mail(_ctx(engine, mail_settings, NOW + timedelta(seconds=30))) == 1  # the other waits its backoff
        assert jobs.send_mail(_ctx(engine, mail_settings, NOW + timedelta(minutes=2))) == 1
        assert jobs.send_mail(_ctx(engine, mail_settings, NOW + timedelta(minutes=3))) == 0
    finally:
        controller.stop()
    assert sorted(rcpt[0] for rcpt, _content in inbox.messages) == ["person0@example.se", "person1@example.se"]
    assert "Subject: Besked 0" in next(c for r, c in inbox.messages if r == ["person0@example.se"])
    db.rollback()
    db.expire_all()
    assert all(m.sent_at is not None and m.last_error is None for m in db.execute(select(OutboxMessage)).scalars())


def test_without_smtp_settings_mail_stays_in_the_outbox(engine, settings, db):
    _queue_mail(db, 1)
    assert jobs.send_mail(_ctx(engine, settings, NOW)) == 0
    db.rollback()
    db.expire_all()
    message = db.execute(select(OutboxMessage)).scalar_one()
    assert (message.sent_at, message.attempts) == (None, 0)


def test_two_senders_at_once_send_each_message_once(engine, settings, db, smtp_port):
    from aiosmtpd.controller import Controller

    _queue_mail(db, 6)
    mail_settings = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": smtp_port})
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    counts: list[int] = []
    try:
        engines = [make_engine(settings.resolved_database_url()) for _ in range(2)]
        threads = [threading.Thread(target=lambda e=e: counts.append(jobs.send_mail(_ctx(e, mail_settings, NOW)))) for e in engines]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for e in engines:
            e.dispose()
    finally:
        controller.stop()
    assert sum(counts) == 6
    assert len(inbox.messages) == 6


def test_a_decision_racing_the_expiry_job_moves_the_booking_once(settings, db, staff_user, coordinator):
    from marketplace.auth.accounts import actor_for_user
    from marketplace.bookings import flow
    from marketplace.kernel.db import transaction
    from marketplace.kernel.errors import Conflict

    holds = [_request(db, staff_user, _make_programme(db, capacity=1)) for _ in range(4)]
    actor = actor_for_user(db, coordinator)
    engines = [make_engine(settings.resolved_database_url()) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list = []

    def _approve_all():
        barrier.wait()
        with Session(engines[0], expire_on_commit=False) as session:
            for hold in holds:
                try:
                    with transaction(session, write_lock=True):
                        flow.approve_booking(session, session.get(Booking, hold.id), actor=actor, now=HOLD_END)
                    outcomes.append("approved")
                except Conflict:
                    outcomes.append("refused")

    def _expire():
        barrier.wait()
        outcomes.append(("job", jobs.expire_holds(_ctx(engines[1], settings, HOLD_END))))

    threads = [threading.Thread(target=_approve_all), threading.Thread(target=_expire)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for engine in engines:
        engine.dispose()

    statuses = _statuses(db, *holds)
    expired = next(count for kind, count in [o for o in outcomes if isinstance(o, tuple)])
    assert statuses.count("approved") == outcomes.count("approved")
    assert statuses.count("expired") == expired == outcomes.count("refused")
    assert all(_events(db, hold, "approved") + _events(db, hold, "expired") == 1 for hold in holds)
