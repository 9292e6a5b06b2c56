from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.auth.accounts import actor_for_user
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.followups import flow, queries
from marketplace.followups.models import AttendanceWeek, FollowUp
from tests.marketplace.followups._factories import make_booking, make_programme

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
TODAY = date(2026, 3, 20)


def _followups(db, booking):
    return [(f.sequence, f.due_date, f.is_done) for f in queries.followups_for_booking(db, booking.id)]


def _valid_input(**overrides):
    values = dict(attendance_share=80, capacity_physical=4, capacity_mental=3, capacity_social=2,
                  participant_view="Trivs bra", progress_goals="Kommer i tid oftare", progress_sub_goals="Delmål 1 nått",
                  ready_took_part=True, ready_motivated=True, notes="")
    values.update(overrides)
    return flow.FollowUpInput(**values)


def test_ensure_schedule_creates_the_schedule_once_and_is_idempotent(db, staff_user):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 12, 31))
    with transaction(db):
        first = flow.ensure_schedule(db, booking, now=NOW)
    with transaction(db):
        second = flow.ensure_schedule(db, booking, now=NOW)
    assert first.added == 4 and not second.changed
    assert _followups(db, booking) == [(1, date(2026, 2, 12), False), (2, date(2026, 5, 12), False),
                                       (3, date(2026, 8, 12), False), (4, date(2026, 11, 12), False)]


def test_an_early_end_removes_open_follow_ups_due_after_it_but_keeps_recorded_ones(db, staff_user):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 12, 31))
    with transaction(db):
        flow.ensure_schedule(db, booking, now=NOW)
        first = db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id, FollowUp.sequence == 1)).scalar_one()
        flow.record_followup(db, first, booking, _valid_input(), actor=actor_for_user(db, staff_user), now=NOW)
    with transaction(db):
        booking.status, booking.end_date, booking.outcome = "ended", date(2026, 6, 1), "work"
        change = flow.ensure_schedule(db, booking, now=NOW)
    assert change.removed == 2
    assert _followups(db, booking) == [(1, date(2026, 2, 12), True), (2, date(2026, 5, 12), False)]


def test_an_extension_appends_follow_ups_and_a_cancellation_removes_every_open_one(db, staff_user):
    booking = make_booking(db, make_programme(db), staff_user, status="approved", start=date(2026, 4, 1), end=date(2026, 6, 30))
    with transaction(db):
        flow.ensure_schedule(db, booking, now=NOW)
    assert [d for _, d, _ in _followups(db, booking)] == [date(2026, 5, 1)]
    with transaction(db):
        booking.end_date = date(2027, 3, 31)
        assert flow.ensure_schedule(db, booking, now=NOW).added == 3
    with transaction(db):
        booking.status = "cancelled"
        flow.ensure_schedule(db, booking, now=NOW)
    assert _followups(db, booking) == []


def test_the_status_signal_builds_and_trims_the_schedule(db, staff_user):
    from marketplace.bookings.signals import booking_status_changed

    booking = make_booking(db, make_programme(db), staff_user, status="approved", start=date(2026, 4, 1), end=date(2026, 12, 31))
    with transaction(db):
        booking_status_changed.send(booking, session=db, from_status="requested", to_status="approved", actor_id=None, now=NOW)
    assert len(_followups(db, booking)) == 3
    with transaction(db):
        booking.status, booking.end_date = "ended", date(2026, 5, 15)
        booking_status_changed.send(booking, session=db, from_status="active", to_status="ended", actor_id=None, now=NOW)
    assert [d for _, d, _ in _followups(db, booking)] == [date(2026, 5, 1)]


def test_record_followup_rejects_bad_values_per_field_and_changes_nothing(db, staff_user):
    booking = make_booking(db, make_programme(db), staff_user)
    with transaction(db):
        flow.ensure_schedule(db, booking, now=NOW)
    followup = queries.followups_for_booking(db, booking.id)[0]
    with pytest.raises(Invalid) as caught, transaction(db):
        flow.record_followup(db, followup, booking, _valid_input(attendance_share=120, capacity_social=9, participant_view=" "),
                             actor=actor_for_user(db, staff_user), now=NOW)
    assert {field for field, _ in caught.value.errors} == {"attendance_share", "capacity_social", "participant_view"}
    db.expire_all()
    assert db.get(FollowUp, followup.id).done_at is None


def test_record_followup_saves_every_field_and_audits_without_text(db, staff_user):
    booking = make_booking(db, make_programme(db), staff_user)
    with transaction(db):
        flow.ensure_schedule(db, booking, now=NOW)
    followup = queries.followups_for_booking(db, booking.id)[0]
    with transaction(db):
        flow.record_followup(db, followup, booking, _valid_input(), actor=actor_for_user(db, staff_user), now=NOW)
    db.expire_all()
    saved = db.get(FollowUp, followup.id)
    assert (saved.attendance_share, saved.capacity_physical, saved.capacity_mental, saved.capacity_social) == (80, 4, 3, 2)
    assert saved.participant_view == "Trivs bra" and saved.readiness_count == 2 and saved.recorded_by_id == staff_user.id
    log = db.execute(select(AuditLog).where(AuditLog.action == "followup.record")).scalar_one()
    assert log.object_id == str(booking.id) and "Trivs" not in str(log.details)


def test_a_cancelled_booking_cannot_be_followed_up(db, staff_user):
    booking = make_booking(db, make_programme(db), staff_user)
    with transaction(db):
        flow.ensure_schedule(db, booking, now=NOW)
    followup = queries.followups_for_booking(db, booking.id)[0]
    booking.status = "cancelled"
    db.commit()
    with pytest.raises(Conflict):
        flow.record_followup(db, followup, booking, _valid_input(), actor=actor_for_user(db, staff_user), now=NOW)


def test_attendance_changes_are_audited_with_old_and_new_counts(db, staff_user, coordinator):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 3, 4))
    actor = actor_for_user(db, coordinator)
    with transaction(db):
        # Any day of the week is stored under its Monday; the placement starts on Wednesday.
        flow.record_attendance(db, booking, week_start=date(2026, 3, 6), present_days=2, absent_notified_days=1,
                               absent_unnotified_days=0, actor=actor, today=TODAY, now=NOW)
    with transaction(db):
        flow.record_attendance(db, booking, week_start=date(2026, 3, 2), present_days=1, absent_notified_days=1,
                               absent_unnotified_days=1, actor=actor, today=TODAY, now=NOW)
    with transaction(db):  # the same counts again: no change, no audit row
        flow.record_attendance(db, booking, week_start=date(2026, 3, 2), present_days=1, absent_notified_days=1,
                               absent_unnotified_days=1, actor=actor, today=TODAY, now=NOW)
    week = db.execute(select(AttendanceWeek)).scalar_one()
    assert week.week_start == date(2026, 3, 2) and week.planned_days == 3
    logs = db.execute(select(AuditLog).where(AuditLog.action.like("attendance.%")).order_by(AuditLog.id)).scalars().all()
    assert [log.action for log in logs] == ["attendance.record", "attendance.change"]
    assert logs[1].details == {"week_start": "2026-03-02",
                               "old": {"present_days": 2, "absent_notified_days": 1, "absent_unnotified_days": 0},
                               "new": {"present_days": 1, "absent_notified_days": 1, "absent_unnotified_days": 1}}
    assert logs[1].actor_id == coordinator.id


@pytest.mark.parametrize(("week", "counts", "field"), [
    (date(2026, 3, 23), (1, 0, 0), "week_start"),      # a future week
    (date(2025, 12, 29), (1, 0, 0), "week_start"),     # before the placement
    (date(2026, 3, 2), (4, 2, 0), "present_days"),     # 6 days, but from Wednesday the week has 5 left
    (date(2026, 3, 9), (-1, 0, 0), "present_days"),
])
def test_attendance_rejects_impossible_weeks_and_counts(db, staff_user, coordinator, week, counts, field):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 3, 4))
    with pytest.raises(Invalid) as caught:
        flow.record_attendance(db, booking, week_start=week, present_days=counts[0], absent_notified_days=counts[1],
                               absent_unnotified_days=counts[2], actor=actor_for_user(db, coordinator), today=TODAY, now=NOW)
    assert field in {f for f, _ in caught.value.errors}


def test_attendance_share_for_a_follow_up_covers_the_weeks_since_the_previous_one(db, staff_user, coordinator):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 5), end=date(2026, 12, 31))
    actor = actor_for_user(db, coordinator)
    with transaction(db):
        flow.ensure_schedule(db, booking, now=NOW)
        for monday, present in ((date(2026, 1, 5), 5), (date(2026, 1, 12), 3), (date(2026, 2, 2), 1), (date(2026, 2, 9), 0)):
            flow.record_attendance(db, booking, week_start=monday, present_days=present, absent_notified_days=5 - present,
                                   absent_unnotified_days=0, actor=actor, today=TODAY, now=NOW)
    first = queries.get_followup(db, queries.followups_for_booking(db, booking.id)[0].id)
    summary = queries.attendance_since_previous(db, first)
    assert (summary.present, summary.planned, summary.share) == (9, 15, 60)


def test_recording_a_follow_up_again_is_a_correction_and_audited_as_one(db, staff_user, coordinator):
    booking = make_booking(db, make_programme(db), staff_user)
    with transaction(db):
        flow.ensure_schedule(db, booking, now=NOW)
    followup = queries.followups_for_booking(db, booking.id)[0]
    with transaction(db):
        flow.record_followup(db, followup, booking, _valid_input(), actor=actor_for_user(db, staff_user), now=NOW)
    with transaction(db):
        flow.record_followup(db, followup, booking, _valid_input(capacity_social=4), actor=actor_for_user(db, coordinator), now=NOW)
    actions = db.execute(select(AuditLog.action).where(AuditLog.action.like("followup.%")).order_by(AuditLog.id)).scalars().all()
    assert actions == ["followup.record", "followup.correct"]
    assert db.get(FollowUp, followup.id).capacity_social == 4 and db.get(FollowUp, followup.id).recorded_by_id == coordinator.id
