"""Meetings with calendar invitations and the summary (avslutsrapport): API, pages, mail, audit, retention."""

from __future__ import annotations

from datetime import date, datetime, timezone
from email import message_from_bytes

import icalendar
import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditLog
from marketplace.bookings.mail import _as_email
from marketplace.bookings.models import Booking
from marketplace.meetings.models import BookingSummary, Meeting
from marketplace.notifications.models import Notification, OutboxMessage
from tests.marketplace.bookings._factories import _make_programme
from tests.marketplace.security._helpers import SECRET_NAME, make_booking

MEETING = {"kind": "start", "starts_at": "2026-03-12T10:00:00+01:00", "ends_at": "2026-03-12T11:00:00+01:00",
           "location": "Kista, rum 4", "note": "Ta med arbetsplanen"}


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


@pytest.fixture
def booking(db, staff_user, coordinator):
    programme = _make_programme(db, name="Parkarbete")
    return make_booking(db, programme, status="approved", requester_id=staff_user.id, start=date(2026, 3, 10),
                        end=date(2026, 4, 10))


def _parse(response) -> tuple[icalendar.Calendar, icalendar.Event]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    calendar = icalendar.Calendar.from_ical(response.get_data())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def _plan(as_user, user, booking, **overrides):
    response = as_user(user).post(f"/api/v1/bookings/{booking.id}/meetings", json={**MEETING, **overrides})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_staff_plan_a_start_meeting_and_both_sides_get_the_invitation(as_user, db, booking, staff_user, coordinator):
    meeting = _plan(as_user, staff_user, booking)
    assert meeting["kind"] == "start" and meeting["sequence"] == 0 and meeting["cancelled_at"] is None
    assert meeting["starts_at"].startswith("2026-03-12T09:00:00")

    listed = as_user(coordinator).get(f"/api/v1/bookings/{booking.id}/meetings").get_json()
    assert listed["total"] == 1 and listed["page"] == 1 and listed["per_page"] == 20
    assert listed["items"][0]["id"] == meeting["id"] and listed["items"][0]["note"] == "Ta med arbetsplanen"

    calendar, event = _parse(as_user(coordinator).get(meeting["ics_url"]))
    assert calendar["METHOD"] == "REQUEST" and calendar["VERSION"] == "2.0"
    assert event["UID"] == meeting["uid"]
    assert event.decoded("DTSTART") == datetime(2026, 3, 12, 9, 0, tzinfo=timezone.utc)
    assert event.decoded("DTEND") == datetime(2026, 3, 12, 10, 0, tzinfo=timezone.utc)
    assert booking.ref in str(event["SUMMARY"]) and "Parkarbete" in str(event["SUMMARY"])
    assert SECRET_NAME not in as_user(coordinator).get(meeting["ics_url"]).get_data(as_text=True)
    assert str(event["LOCATION"]) == "Kista, rum 4"

    mails = db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars().all()
    assert sorted(m.recipient for m in mails) == sorted([staff_user.email, coordinator.email])
    for outbox in mails:
        assert outbox.subject == f"Möte inbokat: {booking.ref}"
        assert "Ta med" not in outbox.body and "Kista" not in outbox.body
        assert outbox.attachment_content_type.startswith("text/calendar")
        mailed = icalendar.Calendar.from_ical(outbox.attachment)
        assert [e["UID"] for e in mailed.walk("VEVENT")] == [meeting["uid"]]
        assert "LOCATION" not in mailed.walk("VEVENT")[0] and SECRET_NAME not in outbox.attachment
    reads = db.execute(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == "meeting.read", AuditLog.object_id == str(booking.id))).scalar_one()
    assert reads == 3  # the list and two downloads


def test_cancel_makes_the_ics_a_cancel_with_a_higher_sequence(as_user, db, booking, staff_user, coordinator):
    meeting = _plan(as_user, staff_user, booking)
    cancelled = as_user(coordinator).post(f"/api/v1/bookings/{booking.id}/meetings/{meeting['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["cancelled_at"] is not None
    calendar, event = _parse(as_user(staff_user).get(meeting["ics_url"]))
    assert calendar["METHOD"] == "CANCEL" and event["STATUS"] == "CANCELLED"
    assert event["UID"] == meeting["uid"] and int(event["SEQUENCE"]) == 1
    again = as_user(coordinator).post(f"/api/v1/bookings/{booking.id}/meetings/{meeting['id']}/cancel")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    cancels = db.execute(select(OutboxMessage).where(OutboxMessage.subject == f"Möte inställt: {booking.ref}")).scalars().all()
    assert len(cancels) == 2
    assert all(icalendar.Calendar.from_ical(m.attachment)["METHOD"] == "CANCEL" for m in cancels)


def test_the_outbox_sends_the_invitation_as_an_attachment(as_user, db, booking, staff_user):
    _plan(as_user, staff_user, booking)
    outbox = db.execute(select(OutboxMessage).limit(1)).scalar_one()
    email = message_from_bytes(_as_email(outbox, "noreply@insatstorget.se").as_bytes())
    parts = [part for part in email.walk() if part.get_content_maintype() != "multipart"]
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/calendar"]
    assert parts[1].get_filename().endswith(".ics") and parts[1].get_param("method") == "REQUEST"
    assert icalendar.Calendar.from_ical(parts[1].get_payload(decode=True)).walk("VEVENT")[0]["UID"]


def test_bad_meetings_are_422_and_closed_bookings_409(as_user, db, booking, staff_user):
    path = f"/api/v1/bookings/{booking.id}/meetings"
    backwards = as_user(staff_user).post(path, json={**MEETING, "ends_at": "2026-03-12T09:00:00+01:00"})
    assert backwards.status_code == 422 and backwards.mimetype == "application/problem+json"
    assert as_user(staff_user).post(path, json={**MEETING, "kind": "lunch"}).status_code == 422
    assert as_user(staff_user).post(path, json={**MEETING, "note": "x" * 2001}).status_code == 422
    booking.status = "rejected"
    db.merge(booking)
    db.commit()
    assert as_user(staff_user).post(path, json=MEETING).status_code == 409


def test_only_the_two_sides_see_meetings(as_user, db, booking, staff_user, other_staff_user, other_coordinator,
                                         finance_user):
    meeting = _plan(as_user, staff_user, booking)
    for outsider in (other_staff_user, other_coordinator, finance_user):
        assert as_user(outsider).get(f"/api/v1/bookings/{booking.id}/meetings").status_code == 404
        assert as_user(outsider).get(meeting["ics_url"]).status_code == 404
        assert as_user(outsider).post(f"/api/v1/bookings/{booking.id}/meetings", json=MEETING).status_code == 404
    assert as_user(staff_user).get(f"/api/v1/bookings/{booking.id}/meetings/999999.ics").status_code == 404


def test_approved_without_start_meeting_is_a_task_on_the_providers_start_page(as_user, login, client, booking,
                                                                                staff_user, coordinator):
    task = f'href="/placeringar/{booking.id}/moten">{booking.ref}<'
    page = login(coordinator).get("/").get_data(as_text=True)
    assert "Startmöte saknas" in page and task in page
    _plan(as_user, staff_user, booking, kind="follow_up")
    assert task in client.get("/").get_data(as_text=True)
    _plan(as_user, staff_user, booking)
    assert task not in client.get("/").get_data(as_text=True)


def test_meeting_pages_plan_download_and_cancel(login, db, booking, coordinator):
    client = login(coordinator)
    page = client.get(f"/placeringar/{booking.id}/moten")
    assert page.status_code == 200 and "Inga möten är inbokade." in page.get_data(as_text=True)
    bad = client.post(f"/placeringar/{booking.id}/moten", data={
        "kind": "start", "starts_at": "2026-03-12T10:00", "ends_at": "2026-03-12T09:00"})
    assert bad.status_code == 422 and "Mötet måste sluta efter att det börjar." in bad.get_data(as_text=True)
    done = client.post(f"/placeringar/{booking.id}/moten", data={
        "kind": "start", "starts_at": "2026-03-12T10:00", "ends_at": "2026-03-12T11:00", "location": "Kista"})
    assert done.status_code == 302
    meeting = db.execute(select(Meeting).where(Meeting.booking_id == booking.id)).scalar_one()
    assert meeting.starts_at == datetime(2026, 3, 12, 9, 0, tzinfo=timezone.utc)
    _calendar, event = _parse(client.get(f"/placeringar/{booking.id}/moten/{meeting.id}.ics"))
    assert event["UID"] == meeting.uid
    assert client.post(f"/placeringar/{booking.id}/moten/{meeting.id}/stall-in").status_code == 302
    calendar, event = _parse(client.get(f"/placeringar/{booking.id}/moten/{meeting.id}.ics"))
    assert calendar["METHOD"] == "CANCEL" and int(event["SEQUENCE"]) == 1
    assert "Inställt" in client.get(f"/placeringar/{booking.id}/moten").get_data(as_text=True)


# --- summary ------------------------------------------------------------------------------------

SUMMARY = {"attendance": "Närvaro 90 %", "achieved": "Fyra timmar om dagen", "recommendation": "Fortsätt",
           "next_step": "Jobbtorg"}


def test_summary_after_the_end_notifies_the_buyer_and_prints(app, as_user, login, db, booking, staff_user, coordinator):
    client = app.test_client()
    put = lambda user, body: client.put(f"/api/v1/bookings/{booking.id}/summary", json=body,  # noqa: E731
                                        headers=as_user(user).headers)
    assert put(coordinator, SUMMARY).status_code == 409  # not ended yet
    booking.status, booking.start_date, booking.end_date, booking.outcome = "ended", date(2026, 2, 2), date(2026, 3, 1), "work"
    db.merge(booking)
    db.commit()
    assert put(staff_user, SUMMARY).status_code == 403
    assert put(coordinator, {**SUMMARY, "achieved": ""}).status_code == 422
    written = put(coordinator, SUMMARY)
    assert written.status_code == 200, written.get_json()
    assert written.get_json()["achieved"] == "Fyra timmar om dagen"
    assert written.get_json()["print_url"] == f"/placeringar/{booking.id}/avslutsrapport"
    assert as_user(staff_user).get(f"/api/v1/bookings/{booking.id}/summary").get_json()["next_step"] == "Jobbtorg"

    note = db.execute(select(Notification).where(Notification.user_id == staff_user.id)).scalar_one()
    assert booking.ref in note.message
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.recipient == staff_user.email)).scalar_one()
    assert mail.subject == f"Avslutsrapport: {booking.ref}" and "Jobbtorg" not in mail.body and mail.attachment is None

    page = login(staff_user).get(f"/placeringar/{booking.id}/avslutsrapport")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'media="print"' in text and "css/report-print.css" in text
    for shown in ("Fyra timmar om dagen", "Syfte", "Närvaro per vecka", booking.participant_reference):
        assert shown in text
    assert "Spara och meddela beställaren" not in text  # the buyer reads; the provider writes
    css = client.get("/static/css/report-print.css").get_data(as_text=True)
    assert "size: A4" in css


def test_summary_page_form_for_the_provider(login, db, booking, coordinator):
    booking.status, booking.start_date, booking.end_date = "ended", date(2026, 2, 2), date(2026, 3, 1)
    db.merge(booking)
    db.commit()
    client = login(coordinator)
    assert "Spara och meddela beställaren" in client.get(f"/placeringar/{booking.id}/avslutsrapport").get_data(as_text=True)
    assert client.post(f"/placeringar/{booking.id}/avslutsrapport", data={"attendance": ""}).status_code == 422
    assert client.post(f"/placeringar/{booking.id}/avslutsrapport", data=SUMMARY).status_code == 302
    assert db.execute(select(BookingSummary.achieved).where(BookingSummary.booking_id == booking.id)).scalar_one() \
        == "Fyra timmar om dagen"


def test_retention_erases_meeting_notes_places_and_the_summary(as_user, db, booking, staff_user):
    from marketplace.privacy import erase_personal_data

    _plan(as_user, staff_user, booking)
    db.add(BookingSummary(booking_id=booking.id, attendance="Bra", achieved="Mycket", recommendation="R",
                          next_step="N", written_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
                          updated_at=datetime(2026, 3, 2, tzinfo=timezone.utc)))
    db.commit()
    erase_personal_data(db, db.get(Booking, booking.id), actor=None, basis="retention", reason="test",
                        now=datetime(2026, 3, 2, 10, tzinfo=timezone.utc))
    db.commit()
    db.expire_all()
    meeting = db.execute(select(Meeting).where(Meeting.booking_id == booking.id)).scalar_one()
    assert meeting.location is None and meeting.note is None and meeting.uid
    summary = db.execute(select(BookingSummary).where(BookingSummary.booking_id == booking.id)).scalar_one()
    assert (summary.attendance, summary.achieved, summary.recommendation, summary.next_step) == (None, None, None, None)
    assert summary.erased_at is not None
