"""The follow-up and attendance API: the page rules over JSON (who may, when), problem+json
for bad input, paging, every read audited, and the OpenAPI document."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.followups.jobs import sweep_schedules
from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.kernel import clock
from tests.marketplace.followups._factories import make_booking, make_programme


def _booking(db, staff_user, **kwargs):
    kwargs.setdefault("start", date(2027, 1, 13))  # a Wednesday
    kwargs.setdefault("end", date(2027, 9, 30))
    booking = make_booking(db, make_programme(db), staff_user, **kwargs)
    sweep_schedules(db, now=clock.now())
    db.commit()
    return booking


def _followup(**overrides):
    body = {"attendance_share": 80, "capacity_physical": 4, "capacity_mental": 3, "capacity_social": 5,
            "participant_view": "Trivs", "progress_goals": "Kommer i tid", "ready_took_part": True}
    body.update(overrides)
    return body


def _reads(db, via: str) -> int:
    rows = db.execute(select(AuditLog).where(AuditLog.action == "booking.read_participant")).scalars()
    return sum(1 for row in rows if (row.details or {}).get("via") == via)


def test_both_sides_list_follow_ups_with_paging_and_others_get_404(api, db, frozen_clock, staff_user, coordinator,
                                                                   other_staff_user, other_coordinator):
    frozen_clock("2027-03-01T09:00:00+01:00")
    booking = _booking(db, staff_user)
    first = api(staff_user).get(f"/api/v1/bookings/{booking.id}/followups?per_page=2")
    assert first.status_code == 200
    body = first.get_json()
    assert body["page"] == 1 and body["per_page"] == 2 and body["total"] >= 3 and len(body["items"]) == 2
    assert [item["sequence"] for item in body["items"]] == [1, 2]
    assert body["items"][0]["status"] == "overdue" and body["items"][0]["participant_view"] == ""
    second = api(coordinator).get(f"/api/v1/bookings/{booking.id}/followups?per_page=2&page=2").get_json()
    assert [item["sequence"] for item in second["items"]] == [3, 4][:len(second["items"])]
    db.rollback()
    assert _reads(db, "api-followups") == 2
    for outsider in (other_staff_user, other_coordinator):
        response = api(outsider).get(f"/api/v1/bookings/{booking.id}/followups")
        assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert api().get(f"/api/v1/bookings/{booking.id}/followups").status_code == 401
    assert api(staff_user).get("/api/v1/bookings/999999/followups").status_code == 404


def test_recording_fills_the_first_open_follow_up_then_corrects_by_sequence(api, db, frozen_clock, staff_user,
                                                                              coordinator):
    frozen_clock("2027-03-01T09:00:00+01:00")
    booking = _booking(db, staff_user)
    created = api(staff_user).post(f"/api/v1/bookings/{booking.id}/followups", json=_followup())
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["sequence"] == 1 and created.get_json()["status"] == "done"
    second = api(coordinator).post(f"/api/v1/bookings/{booking.id}/followups", json=_followup(notes="Bra"))
    assert second.status_code == 201 and second.get_json()["sequence"] == 2
    corrected = api(staff_user).post(f"/api/v1/bookings/{booking.id}/followups",
                                     json=_followup(sequence=1, capacity_social=2))
    assert corrected.status_code == 200 and corrected.get_json()["capacity_social"] == 2
    db.rollback()
    first = db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id, FollowUp.sequence == 1)).scalar_one()
    assert first.capacity_social == 2 and first.participant_view == "Trivs"
    actions = [row.action for row in db.execute(select(AuditLog).where(AuditLog.object_id == booking.id)
                                                .order_by(AuditLog.id)).scalars() if row.action.startswith("followup.")]
    assert actions == ["followup.record", "followup.record", "followup.correct"]


def test_a_follow_up_with_errors_is_422_with_the_page_messages_and_saves_nothing(api, db, frozen_clock, staff_user):
    frozen_clock("2027-03-01T09:00:00+01:00")
    booking = _booking(db, staff_user)
    response = api(staff_user).post(f"/api/v1/bookings/{booking.id}/followups",
                                    json=_followup(capacity_mental=None, participant_view=" ", attendance_share=140))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    fields = {error["field"]: error["message"] for error in response.get_json()["errors"]}
    assert fields == {"attendance_share": "Närvaron anges i procent, 0–100.", "capacity_mental": "Välj ett värde 1–5.",
                      "participant_view": "Skriv deltagarens egen uppfattning."}
    assert api(staff_user).post(f"/api/v1/bookings/{booking.id}/followups",
                                json=_followup(sequence=99)).status_code == 422
    assert api(staff_user).post(f"/api/v1/bookings/{booking.id}/followups",
                                json={**_followup(), "extra": 1}).status_code == 422
    db.rollback()
    assert db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id, FollowUp.done_at.is_not(None))).first() is None


def test_a_follow_up_of_a_placement_that_does_not_run_is_409(api, db, frozen_clock, staff_user):
    frozen_clock("2027-03-01T09:00:00+01:00")
    booking = _booking(db, staff_user, status="requested")
    response = api(staff_user).post(f"/api/v1/bookings/{booking.id}/followups", json=_followup())
    assert response.status_code == 409  # no follow-up scheduled for a request


def test_the_provider_records_a_week_and_both_sides_read_it(api, db, frozen_clock, staff_user, coordinator):
    frozen_clock("2027-03-01T09:00:00+01:00")
    booking = _booking(db, staff_user)
    path = f"/api/v1/bookings/{booking.id}/attendance"
    put = api(coordinator).put(f"{path}/2027-W03", json={"days_present": 3, "days_planned": 5, "note": "Sjuk onsdag",
                                                         "days_absent_unnotified": 1})
    assert put.status_code == 200, put.get_json()
    assert put.get_json() == {**put.get_json(), "iso_week": "2027-W03", "week_start": "2027-01-18", "days_present": 3,
                              "days_planned": 5, "days_absent_notified": 1, "days_absent_unnotified": 1,
                              "note": "Sjuk onsdag"}
    assert api(coordinator).put(f"{path}/2027-W04", json={"days_present": 5, "days_planned": 5}).status_code == 200
    listed = api(staff_user).get(f"{path}?per_page=1").get_json()
    assert listed["total"] == 2 and [w["iso_week"] for w in listed["items"]] == ["2027-W03"]
    assert listed["summary"] == {"days_present": 8, "days_planned": 10, "share": 80}
    # Changing the counts keeps the note when it is left out; the audit row has counts, not the note.
    assert api(coordinator).put(f"{path}/2027-W03", json={"days_present": 4, "days_planned": 5}).status_code == 200
    db.rollback()
    week = db.execute(select(AttendanceWeek).where(AttendanceWeek.booking_id == booking.id,
                                                   AttendanceWeek.week_start == date(2027, 1, 18))).scalar_one()
    assert (week.present_days, week.absent_notified_days, week.absent_unnotified_days, week.note) == (4, 1, 0, "Sjuk onsdag")
    audits = list(db.execute(select(AuditLog).where(AuditLog.action.like("attendance.%"))
                             .order_by(AuditLog.id)).scalars())
    assert [a.action for a in audits] == ["attendance.record", "attendance.record", "attendance.change"]
    assert all("Sjuk" not in str(a.details) for a in audits) and audits[0].details["note_changed"] is True
    assert _reads(db, "api-attendance") == 1


def test_attendance_rules_answer_403_404_409_and_422(api, db, frozen_clock, staff_user, coordinator, other_coordinator):
    frozen_clock("2027-03-01T09:00:00+01:00")
    booking = _booking(db, staff_user)
    path = f"/api/v1/bookings/{booking.id}/attendance"
    week = {"days_present": 2, "days_planned": 3}
    assert api(staff_user).put(f"{path}/2027-W03", json=week).status_code == 403  # the buyer only reads
    assert api(other_coordinator).put(f"{path}/2027-W03", json=week).status_code == 404
    assert api(other_coordinator).get(path).status_code == 404

    def refused(iso_week, body, field):
        response = api(coordinator).put(f"{path}/{iso_week}", json=body)
        assert response.status_code == 422, (iso_week, body, response.get_json())
        assert response.mimetype == "application/problem+json"
        assert field in {error["field"] for error in response.get_json()["errors"]}, response.get_json()

    refused("2027-W03", {"days_present": 4, "days_planned": 3}, "days_present")
    refused("2027-W03", {"days_present": 1, "days_planned": 8}, "days_planned")
    refused("2027-W03", {"days_present": 1, "days_planned": 3, "days_absent_unnotified": 3}, "days_absent_unnotified")
    refused("2027-W01", week, "iso_week")  # before the placement starts (in W02)
    refused("2027-W12", week, "iso_week")  # a week ahead of today
    refused("2027-W54", week, "iso_week")
    refused("27-W3", week, "iso_week")
    refused("2027-W02", {"days_present": 6, "days_planned": 6}, "days_present")  # 5 days of W02 are inside
    refused("2027-W03", {"days_present": 1, "days_planned": 2, "note": "x" * 1001}, "note")
    db.rollback()
    assert db.execute(select(AttendanceWeek)).first() is None
    ended = _booking(db, staff_user, status="cancelled")
    response = api(coordinator).put(f"/api/v1/bookings/{ended.id}/attendance/2027-W03", json=week)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


def test_erasing_the_participant_data_blanks_the_week_notes_and_keeps_the_counts(api, db, frozen_clock, staff_user,
                                                                                 coordinator):
    from marketplace.privacy import erase_personal_data

    frozen_clock("2027-03-01T09:00:00+01:00")
    booking = _booking(db, staff_user)
    body = {"days_present": 4, "days_planned": 5, "note": "Läkarbesök hos Lina"}
    assert api(coordinator).put(f"/api/v1/bookings/{booking.id}/attendance/2027-W05", json=body).status_code == 200
    db.rollback()
    erase_personal_data(db, db.get(type(booking), booking.id), actor=None, basis="retention", reason="G-1",
                        now=clock.now())
    db.commit()
    week = api(staff_user).get(f"/api/v1/bookings/{booking.id}/attendance").get_json()["items"][0]
    assert (week["note"], week["days_present"], week["days_planned"]) == ("", 4, 5)


def test_the_openapi_document_covers_follow_ups_and_attendance(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/bookings/{id}/followups"])
    assert "get" in paths["/api/v1/bookings/{id}/attendance"]
    assert "put" in paths["/api/v1/bookings/{id}/attendance/{iso_week}"]
