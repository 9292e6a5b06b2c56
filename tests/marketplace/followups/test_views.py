from datetime import date

from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.followups.jobs import sweep_schedules
from marketplace.kernel import clock
from tests.marketplace.followups._factories import make_booking, make_programme


def _scheduled_booking(db, staff_user, **kwargs):
    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 9, 30), **kwargs)
    sweep_schedules(db, now=clock.now())
    db.commit()
    return booking


def _form(**overrides):
    data = {"attendance_share": "75", "capacity_physical": "4", "capacity_mental": "3", "capacity_social": "3",
            "participant_view": "Känner sig tryggare", "progress_goals": "Kommer i tid", "progress_sub_goals": "",
            "ready_took_part": "y", "ready_motivated": "y", "notes": ""}
    data.update(overrides)
    return data


def test_the_follow_up_list_and_start_page_show_overdue_follow_ups(client, login, db, frozen_clock, staff_user):
    frozen_clock("2026-02-20T09:00:00+01:00")
    booking = _scheduled_booking(db, staff_user)
    login(staff_user)
    page = client.get("/uppfoljningar").get_data(as_text=True)
    assert booking.ref in page and "Försenad" in page
    start = client.get("/").get_data(as_text=True)
    assert "1 försenade" in start and booking.ref in start


def test_staff_record_a_follow_up_from_the_form(client, login, db, frozen_clock, staff_user):
    frozen_clock("2026-02-20T09:00:00+01:00")
    booking = _scheduled_booking(db, staff_user)
    followup = db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id, FollowUp.sequence == 1)).scalar_one()
    login(staff_user)
    form_page = client.get(f"/uppfoljningar/{followup.id}")
    assert form_page.status_code == 200 and "Redo för nästa steg: Jobbtorg" in form_page.get_data(as_text=True)
    response = client.post(f"/uppfoljningar/{followup.id}", data=_form())
    assert response.status_code == 302
    db.rollback()  # end the read snapshot taken before the request
    saved = db.get(FollowUp, followup.id)
    assert saved.done_at is not None and saved.attendance_share == 75 and saved.readiness_count == 2
    assert db.execute(select(AuditLog).where(AuditLog.action == "booking.read_participant")).first() is not None


def test_a_follow_up_form_with_errors_answers_422_in_swedish_and_saves_nothing(client, login, db, frozen_clock, staff_user):
    frozen_clock("2026-02-20T09:00:00+01:00")
    booking = _scheduled_booking(db, staff_user)
    followup = db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id, FollowUp.sequence == 1)).scalar_one()
    login(staff_user)
    response = client.post(f"/uppfoljningar/{followup.id}", data=_form(capacity_social="", participant_view="", attendance_share="140"))
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Skriv deltagarens egen uppfattning." in body and "Välj ett värde 1–5." in body and "0–100" in body
    db.rollback()  # end the read snapshot taken before the request
    assert db.get(FollowUp, followup.id).done_at is None


def test_other_organisations_get_404_and_finance_cannot_record(client, login, db, frozen_clock, staff_user, other_staff_user, finance_user):
    frozen_clock("2026-02-20T09:00:00+01:00")
    booking = _scheduled_booking(db, staff_user)
    followup = db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id)).scalars().first()
    login(other_staff_user)
    assert client.get(f"/uppfoljningar/{followup.id}").status_code == 404
    assert client.get(f"/uppfoljningar/placering/{booking.id}/narvaro").status_code == 404
    client.post("/logga-ut")
    login(finance_user)
    assert client.get(f"/uppfoljningar/{followup.id}").status_code == 404


def test_the_provider_records_attendance_and_the_buyer_sees_it_but_may_not_change_it(client, login, db, frozen_clock, staff_user, coordinator):
    frozen_clock("2026-02-20T09:00:00+01:00")
    booking = _scheduled_booking(db, staff_user)
    login(coordinator)
    response = client.post(f"/uppfoljningar/placering/{booking.id}/narvaro", data={
        "week_start": "2026-02-11", "present_days": "4", "absent_notified_days": "1", "absent_unnotified_days": "0"})
    assert response.status_code == 302
    bad = client.post(f"/uppfoljningar/placering/{booking.id}/narvaro", data={
        "week_start": "2026-03-02", "present_days": "4", "absent_notified_days": "0", "absent_unnotified_days": "0"})
    assert bad.status_code == 422 and "kommande vecka" in bad.get_data(as_text=True)
    client.post("/logga-ut")
    login(staff_user)
    page = client.get(f"/uppfoljningar/placering/{booking.id}/narvaro").get_data(as_text=True)
    assert "80 % (4 av 5 dagar)" in page
    forbidden = client.post(f"/uppfoljningar/placering/{booking.id}/narvaro", data={
        "week_start": "2026-02-11", "present_days": "0", "absent_notified_days": "0", "absent_unnotified_days": "5"})
    assert forbidden.status_code == 403
    db.rollback()
    week = db.execute(select(AttendanceWeek)).scalar_one()
    assert (week.week_start, week.present_days) == (date(2026, 2, 9), 4)


def test_a_weeks_note_is_saved_from_the_page_shown_to_the_buyer_and_refused_when_too_long(
        client, login, db, frozen_clock, staff_user, coordinator):
    frozen_clock("2026-02-20T09:00:00+01:00")
    booking = _scheduled_booking(db, staff_user)
    login(coordinator)
    week = {"week_start": "2026-02-11", "present_days": "4", "absent_notified_days": "1", "absent_unnotified_days": "0"}
    assert client.post(f"/uppfoljningar/placering/{booking.id}/narvaro",
                       data={**week, "note": "<b>Tandläkare</b> fredag"}).status_code == 302
    for bad_note in ("x" * 1001, "a\x00b"):
        refused = client.post(f"/uppfoljningar/placering/{booking.id}/narvaro", data={**week, "note": bad_note})
        assert refused.status_code == 422
    client.post("/logga-ut")
    login(staff_user)
    page = client.get(f"/uppfoljningar/placering/{booking.id}/narvaro").get_data(as_text=True)
    assert "&lt;b&gt;Tandläkare&lt;/b&gt; fredag" in page and "<b>Tandläkare" not in page
    db.rollback()
    assert db.execute(select(AttendanceWeek)).scalar_one().note == "<b>Tandläkare</b> fredag"


def test_the_booking_partial_shows_the_schedule_and_the_outcome(app, db, login, client, frozen_clock, staff_user):
    frozen_clock("2026-02-20T09:00:00+01:00")
    booking = _scheduled_booking(db, staff_user, outcome=None)
    booking.status, booking.outcome = "ended", "work"
    db.commit()
    login(staff_user)
    with app.test_request_context("/"):
        from flask import render_template_string
        from flask_login import login_user  # noqa: F401
        from marketplace.kernel import http
        from flask import g
        from marketplace.auth.accounts import actor_for_user

        g.actor = actor_for_user(db, staff_user)
        html = render_template_string('{% include "marketplace/followups/_booking_section.html" %}', booking=booking)
        assert "Arbete" in html and "Uppföljning och närvaro" in html
        g.actor = None
        assert "Uppföljning och närvaro" not in render_template_string(
            '{% include "marketplace/followups/_booking_section.html" %}', booking=booking)
