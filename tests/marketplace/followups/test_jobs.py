from datetime import date, datetime, timezone

from sqlalchemy import func, select

from marketplace.followups import jobs, queries
from marketplace.followups.models import FollowUp
from marketplace.notifications.models import Notification, OutboxMessage
from marketplace.scheduler import JobContext, jobs as scheduled_jobs
from tests.marketplace.followups._factories import make_booking, make_programme


def _ctx(engine, settings, moment: str) -> JobContext:
    return JobContext(engine=engine, settings=settings, now=datetime.fromisoformat(moment))


def test_the_reminder_job_is_registered_with_the_scheduler():
    assert "marketplace.remind_overdue_followups" in {spec.id for spec in scheduled_jobs()}


def test_the_job_builds_missing_schedules_without_the_signal(db, engine, settings, staff_user):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 9, 30))
    short = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 1, 30))
    jobs.remind_overdue_followups(_ctx(engine, settings, "2026-01-13T06:00:00+00:00"))
    assert [f.due_date for f in queries.followups_for_booking(db, booking.id)] == [date(2026, 2, 12), date(2026, 5, 12), date(2026, 8, 12)]
    assert queries.followups_for_booking(db, short.id) == []


def test_an_overdue_follow_up_is_reminded_once_on_the_start_page_and_by_mail(db, engine, settings, frozen_clock, staff_user, coordinator):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 9, 30))
    ctx_due_day = _ctx(engine, settings, "2026-02-12T06:00:00+00:00")
    assert jobs.remind_overdue_followups(ctx_due_day) == 0  # due today is not overdue yet
    ctx_next_day = _ctx(engine, settings, "2026-02-13T06:00:00+00:00")
    assert jobs.remind_overdue_followups(ctx_next_day) == 1
    assert jobs.remind_overdue_followups(_ctx(engine, settings, "2026-02-14T06:00:00+00:00")) == 0
    notes = db.execute(select(Notification).order_by(Notification.user_id)).scalars().all()
    assert {n.user_id for n in notes} == {staff_user.id, coordinator.id}
    assert all(booking.ref in n.message and "Deltagare" not in n.message for n in notes)
    assert db.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() == 2
    first = db.execute(select(FollowUp).where(FollowUp.sequence == 1)).scalar_one()
    assert first.reminded_at == ctx_next_day.now


def test_overdue_detection_uses_the_given_clock(db, staff_user, frozen_clock):
    from marketplace.auth.accounts import actor_for_user

    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 9, 30))
    jobs_now = datetime(2026, 1, 12, 8, tzinfo=timezone.utc)
    jobs.sweep_schedules(db, now=jobs_now)
    db.commit()
    actor = actor_for_user(db, staff_user)
    assert queries.count_overdue(db, actor, today=date(2026, 2, 12)) == 0
    assert queries.count_overdue(db, actor, today=date(2026, 2, 13)) == 1
    rows, total = queries.list_open_followups(db, actor, today=date(2026, 1, 30))
    assert total == 1 and rows[0].booking.id == booking.id and not rows[0].is_overdue(date(2026, 1, 30))
