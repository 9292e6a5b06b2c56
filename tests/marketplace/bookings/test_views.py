"""The pages: every role does its part of the booking flow without the API."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditLog
from marketplace.bookings.models import Booking
from tests.marketplace.bookings._factories import _make_booking, _make_programme


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


def _form(**overrides):
    data = {
        "start_date": "2026-03-16", "end_date": "2026-04-12", "participant_reference": "ÄR-9", "participant_name": "Nora Lind",
        "participant_contact": "nora@example.se", "participant_needs": "", "purpose": "Pröva arbete", "goals": "Fyra timmar",
        "sub_goals": "", "tasks": "Café", "participant_view": "Vill gärna", "fia_completed": "y",
        "decision_reference": "SoL-7", "decision_date": "2026-02-25", "idempotency_key": "form-1",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _latest(db, row):
    """Re-read a row as committed now: end the test session's snapshot first (SQLite WAL)."""
    db.rollback()
    db.refresh(row)


def _second_client(app, login, user):
    return login(user, target=app.test_client())


def test_staff_request_a_place_from_the_programme_and_see_it(client, login, db, staff_user, coordinator):
    programme = _make_programme(db, capacity=2)
    login(staff_user)
    page = client.get(f"/insatser/{programme.id}/boka")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="idempotency_key"' in html and "Skriftlig beskrivning av uppdraget" in html

    response = client.post(f"/insatser/{programme.id}/boka", data=_form())
    assert response.status_code == 302
    booking = db.execute(select(Booking)).scalar_one()
    detail = client.get(response.headers["Location"])
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200
    assert "Nora Lind" in text and "Förfrågan är skickad" in text and booking.ref in text
    db.rollback()  # end the test session's read snapshot (SQLite WAL)
    assert db.execute(select(func.count(AuditLog.id)).where(AuditLog.action == "booking.read_participant")).scalar_one() == 1


def test_a_double_submitted_form_makes_one_booking(client, login, db, staff_user):
    programme = _make_programme(db, capacity=5)
    login(staff_user)
    first = client.post(f"/insatser/{programme.id}/boka", data=_form())
    second = client.post(f"/insatser/{programme.id}/boka", data=_form())
    assert first.headers["Location"] == second.headers["Location"]
    assert db.execute(select(func.count(Booking.id))).scalar_one() == 1


def test_form_errors_are_in_swedish_with_status_422_and_save_nothing(client, login, db, staff_user):
    programme = _make_programme(db, capacity=2, max_weeks=2)
    login(staff_user)
    missing = client.post(f"/insatser/{programme.id}/boka", data=_form(participant_name="", start_date="2026-13-01"))
    assert missing.status_code == 422
    assert "Ange deltagarens namn." in missing.get_data(as_text=True)
    past = client.post(f"/insatser/{programme.id}/boka", data=_form(start_date="2026-02-01"))
    assert past.status_code == 422 and "Startdatum har redan passerat." in past.get_data(as_text=True)
    nul = client.post(f"/insatser/{programme.id}/boka", data=_form(participant_name="Nora\x00Lind"))
    assert nul.status_code == 422 and "otillåtna tecken" in nul.get_data(as_text=True)
    long = client.post(f"/insatser/{programme.id}/boka", data=_form(end_date="2026-06-01"))
    assert long.status_code == 422 and "högst 2 veckor" in long.get_data(as_text=True)
    assert db.execute(select(func.count(Booking.id))).scalar_one() == 0


def test_a_full_programme_says_so_and_offers_the_waitlist(app, client, login, db, staff_user, other_staff_user):
    programme = _make_programme(db, capacity=1)
    login(staff_user)
    client.post(f"/insatser/{programme.id}/boka", data=_form())
    other = _second_client(app, login, other_staff_user)
    full = other.post(f"/insatser/{programme.id}/boka", data=_form(idempotency_key="other-1"))
    assert full.status_code == 409
    assert "ingen ledig plats" in full.get_data(as_text=True)
    queued = other.post(f"/insatser/{programme.id}/boka", data=_form(idempotency_key="other-2", waitlist="y"), follow_redirects=True)
    assert "väntelistan som nummer 1" in queued.get_data(as_text=True)


def test_only_staff_see_the_request_form_and_only_for_published_programmes(client, login, db, staff_user, coordinator):
    published, draft = _make_programme(db), _make_programme(db, status="draft", organisation="HV")
    login(coordinator)
    assert client.get(f"/insatser/{published.id}/boka").status_code == 403
    client.post("/logga-ut")
    login(staff_user)
    assert client.get(f"/insatser/{draft.id}/boka").status_code == 404
    assert client.get("/insatser/999999/boka").status_code == 404


def test_the_coordinator_sees_incoming_requests_with_days_left_and_approves(app, client, login, db, staff_user, coordinator):
    programme = _make_programme(db, capacity=2)
    login(staff_user)
    client.post(f"/insatser/{programme.id}/boka", data=_form())
    booking = db.execute(select(Booking)).scalar_one()
    coordinator_client = _second_client(app, login, coordinator)

    incoming = coordinator_client.get("/forfragningar").get_data(as_text=True)
    assert booking.ref in incoming and ">10<" in incoming.replace(" ", "")
    home = coordinator_client.get("/").get_data(as_text=True)
    assert "Inkommande förfrågningar" in home and "10 dagar kvar" in home

    approved = coordinator_client.post(f"/placeringar/{booking.id}/godkann", follow_redirects=True)
    assert "Förfrågan är godkänd" in approved.get_data(as_text=True)
    _latest(db, booking)
    assert booking.status == "approved"
    staff_home = client.get("/").get_data(as_text=True)
    assert booking.ref in staff_home and "Godkänd" in staff_home


def test_rejecting_needs_a_reason(app, client, login, db, staff_user, coordinator):
    programme = _make_programme(db, capacity=2)
    login(staff_user)
    client.post(f"/insatser/{programme.id}/boka", data=_form())
    booking = db.execute(select(Booking)).scalar_one()
    coordinator_client = _second_client(app, login, coordinator)
    empty = coordinator_client.post(f"/placeringar/{booking.id}/avsla", data={"reason": ""})
    assert empty.status_code == 422 and "Skriv en motivering." in empty.get_data(as_text=True)
    coordinator_client.post(f"/placeringar/{booking.id}/avsla", data={"reason": "Ingen handledare i mars"})
    _latest(db, booking)
    assert (booking.status, booking.decision_reason) == ("rejected", "Ingen handledare i mars")
    again = coordinator_client.post(f"/placeringar/{booking.id}/godkann")
    assert again.status_code == 409 and "Avslagen" in again.get_data(as_text=True)


def test_staff_cancel_and_end_from_the_booking_page(app, client, login, db, frozen_clock, staff_user, coordinator):
    programme = _make_programme(db, capacity=2)
    login(staff_user)
    client.post(f"/insatser/{programme.id}/boka", data=_form())
    client.post(f"/insatser/{programme.id}/boka", data=_form(idempotency_key="form-2"))
    first, second = db.execute(select(Booking).order_by(Booking.id)).scalars().all()
    coordinator_client = _second_client(app, login, coordinator)
    coordinator_client.post(f"/placeringar/{first.id}/godkann")
    coordinator_client.post(f"/placeringar/{second.id}/godkann")

    page = client.get(f"/placeringar/{first.id}").get_data(as_text=True)
    assert "Avboka placeringen" in page and "Avsluta placeringen" not in page
    client.post(f"/placeringar/{first.id}/avboka", data={"reason": "Fick jobb"})
    _latest(db, first)
    assert first.status == "cancelled"

    frozen_clock("2026-03-20T10:00:00+01:00")
    late_client = login(staff_user, target=app.test_client())
    assert "Avsluta placeringen" in late_client.get(f"/placeringar/{second.id}").get_data(as_text=True)
    bad = late_client.post(f"/placeringar/{second.id}/avsluta", data={"end_date": "2026-03-19", "outcome": ""})
    assert bad.status_code == 422
    late_client.post(f"/placeringar/{second.id}/avsluta", data={"end_date": "2026-03-19", "outcome": "work"})
    _latest(db, second)
    assert (second.status, second.end_date, second.outcome) == ("ended", date(2026, 3, 19), "work")
    timeline = late_client.get(f"/placeringar/{second.id}").get_data(as_text=True)
    assert "Avslutad" in timeline and "Godkänd" in timeline


def test_extension_is_requested_by_staff_and_decided_by_the_provider(app, client, login, db, staff_user, coordinator):
    programme = _make_programme(db, capacity=1)
    login(staff_user)
    client.post(f"/insatser/{programme.id}/boka", data=_form())
    booking = db.execute(select(Booking)).scalar_one()
    coordinator_client = _second_client(app, login, coordinator)
    coordinator_client.post(f"/placeringar/{booking.id}/godkann")
    early = client.post(f"/placeringar/{booking.id}/forlang", data={"end_date": "2026-04-01"})
    assert early.status_code == 422
    client.post(f"/placeringar/{booking.id}/forlang", data={"end_date": "2026-05-01"})
    assert booking.ref in coordinator_client.get("/forfragningar").get_data(as_text=True)
    coordinator_client.post(f"/placeringar/{booking.id}/forlangning/godkann")
    _latest(db, booking)
    assert booking.end_date == date(2026, 5, 1)


def test_my_placements_filter_by_status(client, login, db, staff_user):
    programme = _make_programme(db, capacity=3)
    login(staff_user)
    client.post(f"/insatser/{programme.id}/boka", data=_form())
    assert "ÄR-9" in client.get("/placeringar").get_data(as_text=True)
    assert "Inga placeringar har status" in client.get("/placeringar?status=ended").get_data(as_text=True)
    assert client.get("/placeringar?status=bogus").status_code == 200


def test_the_occupancy_calendar_is_for_the_providers_coordinators(app, client, login, db, staff_user, coordinator, other_coordinator):
    programme = _make_programme(db, capacity=2)
    login(staff_user)
    client.post(f"/insatser/{programme.id}/boka", data=_form())
    booking = db.execute(select(Booking)).scalar_one()
    assert client.get(f"/insatser/{programme.id}/belaggning").status_code == 404
    page = _second_client(app, login, coordinator).get(f"/insatser/{programme.id}/belaggning")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Plats 2" in text and booking.ref in text and "Ledig" in text
    assert _second_client(app, login, other_coordinator).get(f"/insatser/{programme.id}/belaggning").status_code == 404
    assert _second_client(app, login, coordinator).get(f"/insatser/{programme.id}/belaggning?fran=nonsense").status_code == 200


def test_incoming_requests_and_extensions_are_paged_separately_and_a_page_past_the_end_shows_the_last(
        app, client, login, db, staff_user, coordinator):
    programme = _make_programme(db, capacity=100)
    requests = [_make_booking(db, programme, status="requested", start=date(2026, 4, 1), end=date(2026, 4, 30),
                              requester_id=staff_user.id) for _ in range(53)]
    extended = _make_booking(db, programme, status="approved", start=date(2026, 4, 1), end=date(2026, 4, 30),
                             requester_id=staff_user.id)
    extended.extension_end_date = date(2026, 5, 31)
    db.commit()
    login(coordinator)

    first = client.get("/forfragningar").get_data(as_text=True)
    second = client.get("/forfragningar?page=2").get_data(as_text=True)
    shown_first = {b.ref for b in requests if b.ref + "<" in first}
    shown_second = {b.ref for b in requests if b.ref + "<" in second}
    assert len(shown_first) == 50 and len(shown_second) == 3 and not shown_first & shown_second
    assert "Sida 1 av 2" in first and "Sida 2 av 2" in second
    assert extended.ref in first and extended.ref in second  # the extensions keep their own page
    assert "page=2" in first and "sida_forlangningar=1" in first
    past = client.get("/forfragningar?page=99").get_data(as_text=True)
    assert "Sida 2 av 2" in past and {b.ref for b in requests if b.ref + "<" in past} == shown_second
    assert client.get("/forfragningar?page=x&sida_forlangningar=-4").status_code == 200
