"""The daily digest (07:00 Europe/Stockholm): one mail per user per day with the held-back
items (kind and booking ref only), however often or wherever the job runs."""

from __future__ import annotations

import threading
from datetime import date, datetime, timezone

from sqlalchemy import select

from marketplace.notifications import preferences
from marketplace.notifications.jobs import send_daily_digests
from marketplace.notifications.models import DailyDigest, DigestItem, OutboxMessage
from marketplace.notifications.notify import notify
from marketplace.notifications.mail_templates import mail
from marketplace.scheduler import JobContext, jobs as scheduled_jobs, run_job
from tests.factories import make_programme
from tests.marketplace.followups._factories import make_booking

EVENING = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
MORNING = datetime(2026, 3, 3, 6, 0, tzinfo=timezone.utc)  # 07:00 in Stockholm (CET)
SECRET = "Deltagaren Nora mår dåligt"


def _ctx(engine, settings, now):
    return JobContext(engine=engine, settings=settings, now=now)


def _outbox(db):
    db.rollback()
    return list(db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _hold(db, user, kind, ref, at=EVENING):
    notify(db, user=user, message=f"{SECRET} ({ref})", now=at, link="/", mail=mail(kind, ref))
    db.commit()


def test_the_digest_job_runs_at_seven_stockholm_time():
    spec = next(s for s in scheduled_jobs() if s.id == "marketplace.send_daily_digests")
    assert str(spec.trigger.fields[5]) == "7" and str(spec.trigger.fields[6]) == "0"  # hour, minute


def test_one_mail_with_the_days_kinds_and_refs_and_a_second_run_sends_nothing(db, engine, settings, frozen_clock,
                                                                                 staff_user, coordinator):
    preferences.update(db, staff_user.id, {"decision": "daily", "message": "daily"}, now=EVENING)
    db.commit()
    _hold(db, staff_user, "booking_approved", "B-2026-000011")
    _hold(db, staff_user, "booking_message", "B-2026-000012")
    _hold(db, coordinator, "booking_requested", "B-2026-000013")  # coordinator: immediately
    immediate = _outbox(db)
    assert [m.recipient for m in immediate] == [coordinator.email]
    frozen_clock(MORNING)
    spec = next(s for s in scheduled_jobs() if s.id == "marketplace.send_daily_digests")
    assert run_job(spec, engine, settings, now=MORNING) == 1
    assert run_job(spec, engine, settings, now=MORNING.replace(minute=30)) == 0  # the same day again
    digests = _outbox(db)[1:]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.recipient == staff_user.email
    assert digest.subject == "Dagens sammanfattning från Insatstorget 2026-03-03"
    assert "- Godkänd: B-2026-000011" in digest.body and "- Nytt meddelande: B-2026-000012" in digest.body
    assert "B-2026-000013" not in digest.body
    assert "Nora" not in digest.body and "Nora" not in digest.subject and digest.attachment is None
    db.rollback()
    assert db.execute(select(DigestItem).where(DigestItem.digest_id.is_(None))).first() is None


def test_items_held_after_the_days_digest_wait_for_the_next_day(db, engine, settings, staff_user):
    preferences.update(db, staff_user.id, {"decision": "daily"}, now=EVENING)
    db.commit()
    _hold(db, staff_user, "booking_approved", "B-2026-000021")
    assert send_daily_digests(_ctx(engine, settings, MORNING)) == 1
    _hold(db, staff_user, "booking_rejected", "B-2026-000022", at=MORNING.replace(hour=9))
    assert send_daily_digests(_ctx(engine, settings, MORNING.replace(hour=10))) == 0
    next_morning = MORNING.replace(day=4)
    assert send_daily_digests(_ctx(engine, settings, next_morning)) == 1
    bodies = [m.body for m in _outbox(db)]
    assert len(bodies) == 2 and "B-2026-000022" in bodies[1] and "B-2026-000021" not in bodies[1]
    assert send_daily_digests(_ctx(engine, settings, next_morning)) == 0


def test_nothing_held_back_no_digest(db, engine, settings, staff_user):
    assert send_daily_digests(_ctx(engine, settings, MORNING)) == 0
    assert _outbox(db) == []


def test_two_workers_at_once_still_send_one_digest(db, engine, settings, staff_user, other_staff_user):
    for user in (staff_user, other_staff_user):
        preferences.update(db, user.id, {"meeting": "daily"}, now=EVENING)
    db.commit()
    _hold(db, staff_user, "meeting_planned", "B-2026-000031")
    _hold(db, other_staff_user, "meeting_cancelled", "B-2026-000032")
    start, results, errors = threading.Barrier(2), [], []

    def worker():
        try:
            start.wait()
            results.append(send_daily_digests(_ctx(engine, settings, MORNING)))  # no lease: both really run
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(results) == 2
    mails = _outbox(db)
    assert sorted(m.recipient for m in mails) == sorted([staff_user.email, other_staff_user.email])
    assert db.execute(select(DailyDigest.day)).scalars().all() == [date(2026, 3, 3)] * 2


def test_the_digest_of_a_real_booking_mail_names_no_participant(db, api, engine, settings, frozen_clock,
                                                                staff_user, coordinator):
    frozen_clock(EVENING)
    booking = make_booking(db, make_programme(db, organisation="AMF"), staff_user, status="approved")
    preferences.update(db, coordinator.id, {"message": "daily"}, now=EVENING)
    db.commit()
    assert api(staff_user).post(f"/api/v1/bookings/{booking.id}/messages", json={"body": SECRET}).status_code == 201
    assert send_daily_digests(_ctx(engine, settings, MORNING)) == 1
    (digest,) = _outbox(db)
    assert booking.ref in digest.body
    for text in (SECRET, booking.participant_name, booking.participant_reference, "Måleriverkstan"):
        assert text not in digest.body and text not in digest.subject
