"""Coordinators' list work: the placement list as CSV and XLSX (read back with csv and
openpyxl), attendance per month as XLSX, and several requests decided at once from the inbox
and over the API, where one that breaks a rule fails with its reason and the others pass."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.followups.models import AttendanceWeek
from tests.marketplace.bookings._factories import _make_booking, _make_programme

FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-05T10:00:00+01:00")


def _read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _status(db, booking) -> str:
    db.rollback()  # end the test session's read snapshot (SQLite WAL)
    db.refresh(booking)
    return booking.status


def _audits(db, action):
    db.rollback()
    return list(db.execute(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).scalars())


def _world(db, staff_user, other_staff_user):
    """AMF's programme with a name that looks like a formula, three placements there and one elsewhere."""
    programme = _make_programme(db, name=FORMULA)
    approved = _make_booking(db, programme, status="approved", requester_id=staff_user.id)
    approved.participant_name = "@SUM(1+1)"
    approved.decision_reference = "-2+3"
    requested = _make_booking(db, programme, status="requested", requester_id=staff_user.id)
    st_booking = _make_booking(db, programme, status="approved", buyer="ST", requester_id=other_staff_user.id)
    elsewhere = _make_booking(db, _make_programme(db, organisation="HV"), status="approved", requester_id=staff_user.id)
    db.commit()
    return programme, approved, requested, st_booking, elsewhere


def test_the_csv_holds_the_list_pages_bookings_with_its_filter_and_formula_text_escaped(
        client, login, db, staff_user, other_staff_user, coordinator):
    programme, approved, requested, st_booking, elsewhere = _world(db, staff_user, other_staff_user)
    login(coordinator)
    rows = _read_csv(client.get("/placeringar/export.csv?status=approved"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["Referens", "Status", "Insatskod", "Insats"] and "Deltagarens namn" in header
    by_ref = {row[0]: dict(zip(header, row)) for row in body}
    assert set(by_ref) == {approved.ref, st_booking.ref}  # the filter and the organisation, as on the page
    row = by_ref[approved.ref]
    assert row["Status"] == "Godkänd" and row["Insats"] == "'" + programme.name
    assert row["Deltagarens namn"] == "'@SUM(1+1)" and row["Biståndsbeslut"] == "'-2+3"
    assert row["Startdatum"] == "2026-03-10" and row["Beställarkod"] == "RK"
    everything = {row[0] for row in _read_csv(client.get("/placeringar/export.csv"))[1:]}
    assert everything == {approved.ref, requested.ref, st_booking.ref}
    exports = _audits(db, "booking.export")
    assert [(a.details["format"], a.details["status"], a.details["rows"]) for a in exports] == [
        ("csv", "approved", 2), ("csv", None, 3)]
    reads = [a for a in _audits(db, "booking.read_participant") if a.details.get("via") == "export-bookings-csv"]
    assert sorted(int(a.object_id) for a in reads) == sorted([approved.id, st_booking.id, approved.id, requested.id,
                                                        st_booking.id])


def test_the_xlsx_types_text_as_strings_and_dates_as_dates(client, login, db, staff_user, other_staff_user, coordinator):
    programme, approved, *_ = _world(db, staff_user, other_staff_user)
    login(coordinator)
    response = client.get("/placeringar/export.xlsx?status=approved")
    assert response.status_code == 200 and "spreadsheetml" in response.mimetype
    assert response.headers["Content-Disposition"].endswith('-approved-2026-03-05.xlsx"')
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[2]]
    rows = {row[0].value: {h: cell for h, cell in zip(header, row)} for row in sheet.iter_rows(min_row=3)}
    cells = rows[approved.ref]
    assert cells["Insats"].value == programme.name and programme.name.startswith("=") and cells["Insats"].data_type == "s"  # text, never a formula
    assert cells["Deltagarens namn"].value == "@SUM(1+1)" and cells["Deltagarens namn"].data_type == "s"
    assert cells["Startdatum"].is_date and cells["Startdatum"].value.date() == date(2026, 3, 10)
    assert cells["Inkom"].is_date


def test_only_coordinators_export(client, login, db, staff_user, finance_user):
    assert client.get("/placeringar/export.csv").status_code == 302  # to the sign-in page
    login(staff_user)
    assert client.get("/placeringar/export.csv").status_code == 403
    assert client.get("/placeringar/narvaro.xlsx?manad=2026-03").status_code == 403


def test_the_list_page_links_the_files_with_its_filter(client, login, db, coordinator):
    login(coordinator)
    page = client.get("/placeringar?status=approved").get_data(as_text=True)
    assert "/placeringar/export.csv?status=approved" in page and "/placeringar/export.xlsx?status=approved" in page
    assert 'name="manad"' in page and 'value="2026-03"' in page


def test_attendance_per_month_lists_every_week_of_each_placement(client, login, db, staff_user, other_staff_user,
                                                                 coordinator):
    programme, approved, requested, st_booking, elsewhere = _world(db, staff_user, other_staff_user)
    now = datetime(2026, 3, 20, tzinfo=timezone.utc)
    db.add(AttendanceWeek(booking_id=approved.id, week_start=date(2026, 3, 9), present_days=3, absent_notified_days=1,
                          absent_unnotified_days=1, note="+1 sjuk", updated_at=now))
    db.add(AttendanceWeek(booking_id=elsewhere.id, week_start=date(2026, 3, 9), present_days=5, updated_at=now))
    db.commit()
    login(coordinator)
    response = client.get("/placeringar/narvaro.xlsx?manad=2026-03")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    header = [cell.value for cell in sheet[2]]
    rows = [{h: cell.value for h, cell in zip(header, row)} for row in sheet.iter_rows(min_row=3)]
    mine = [row for row in rows if row["Referens"] == approved.ref]
    # 10 March (a Tuesday) to 31 March: weeks 11–14, the last one with 2 days in March
    assert [row["Vecka"] for row in mine] == ["2026-W11", "2026-W12", "2026-W13", "2026-W14"]
    assert [row["Dagar i månaden och placeringen"] for row in mine] == [6, 7, 7, 2]
    first = mine[0]
    assert (first["Närvarande dagar"], first["Planerade dagar"], first["Anteckning"], first["Registrerad"]) == (
        3, 5, "+1 sjuk", "ja")
    assert mine[1]["Närvarande dagar"] is None and mine[1]["Registrerad"] is None
    assert {row["Referens"] for row in rows} == {approved.ref, st_booking.ref}  # not the request, not HV's
    note_cell = next(row for row in sheet.iter_rows(min_row=3) if row[0].value == approved.ref)[header.index("Anteckning")]
    assert note_cell.data_type == "s"
    assert [a.details["rows"] for a in _audits(db, "attendance.export")] == [8]
    assert client.get("/placeringar/narvaro.xlsx?manad=2026-13").status_code == 422
    assert "Välj en månad" in client.get("/placeringar/narvaro.xlsx?manad=mars").get_data(as_text=True)


def _requests(db, staff_user):
    """Two requests that can be approved, and one whose hold ran out while its place was taken."""
    full = _make_programme(db, capacity=1)
    _make_booking(db, full, status="approved", requester_id=staff_user.id)
    lapsed = _make_booking(db, full, status="requested", requester_id=staff_user.id,
                           hold_expires_at=datetime(2026, 3, 4, tzinfo=timezone.utc))
    roomy = _make_programme(db, capacity=5)
    first = _make_booking(db, roomy, status="requested", requester_id=staff_user.id)
    second = _make_booking(db, roomy, status="requested", requester_id=staff_user.id)
    _mailable(db, lapsed, first, second)
    return lapsed, first, second


def _mailable(db, *bookings):
    """Refs as the service writes them (a decision mails the requester the ref)."""
    for booking in bookings:
        booking.ref = f"B-2026-{booking.id:06d}"
    db.commit()


def test_approving_several_from_the_inbox_reports_each_and_one_fails_on_capacity(client, login, db, staff_user,
                                                                                 coordinator):
    lapsed, first, second = _requests(db, staff_user)
    login(coordinator)
    inbox = client.get("/forfragningar").get_data(as_text=True)
    assert f'name="booking" value="{first.id}"' in inbox and "Besluta markerade" in inbox
    response = client.post("/forfragningar/beslut", data={"booking": [str(lapsed.id), str(first.id), str(second.id)],
                                                         "decision": "approve", "reason": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 förfrågningar godkändes." in page and "1 gick inte att besluta" in page
    assert "platsen är inte längre ledig (2026-03-10 är fullt)" in page
    assert [_status(db, b) for b in (lapsed, first, second)] == ["requested", "approved", "approved"]
    assert len([a for a in _audits(db, "booking.approve")]) == 2


def test_the_inbox_form_refuses_nothing_ticked_and_a_rejection_without_reason(client, login, db, staff_user,
                                                                               coordinator):
    lapsed, first, second = _requests(db, staff_user)
    login(coordinator)
    none = client.post("/forfragningar/beslut", data={"decision": "approve"})
    assert none.status_code == 422 and "Markera minst en förfrågan." in none.get_data(as_text=True)
    unexplained = client.post("/forfragningar/beslut", data={"booking": [str(first.id)], "decision": "reject"})
    page = unexplained.get_data(as_text=True)
    assert unexplained.status_code == 422 and "Skriv en motivering för avslaget." in page
    assert f'value="{first.id}" id="pick-{first.id}" checked' in page  # the ticks survive the error
    assert _status(db, first) == "requested"
    login(staff_user)
    assert client.post("/forfragningar/beslut", data={"booking": [str(first.id)], "decision": "approve"}).status_code == 403


def test_the_api_decides_each_and_answers_a_result_per_booking(api, db, staff_user, other_staff_user, coordinator,
                                                              other_coordinator):
    lapsed, first, second = _requests(db, staff_user)
    hidden = _make_booking(db, _make_programme(db, organisation="HV"), status="requested", requester_id=staff_user.id)
    _mailable(db, hidden)
    response = api(coordinator).post("/api/v1/bookings/decisions", json={"decisions": [
        {"id": lapsed.id, "decision": "approve"}, {"id": first.id, "decision": "reject", "reason": "=Fullt i vår"},
        {"id": second.id, "decision": "reject"}, {"id": hidden.id, "decision": "approve"},
        {"id": first.id, "decision": "approve"}]})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["approved"], body["rejected"], body["failed"]) == (0, 1, 4)
    results = body["results"]
    assert [(r["id"], r["ok"], r["status"]) for r in results] == [
        (lapsed.id, False, "requested"), (first.id, True, "rejected"), (second.id, False, "requested"),
        (hidden.id, False, None), (first.id, False, "rejected")]
    assert [r["problem"]["status"] if r["problem"] else None for r in results] == [409, None, 422, 404, 409]
    assert results[0]["problem"]["type"].endswith("/hold_expired") and results[3]["ref"] is None
    assert _status(db, first) == "rejected" and first.decision_reason == "=Fullt i vår"
    assert api(staff_user).post("/api/v1/bookings/decisions", json={"decisions": [
        {"id": first.id, "decision": "approve"}]}).status_code == 403
    too_many = api(coordinator).post("/api/v1/bookings/decisions", json={"decisions": [
        {"id": first.id, "decision": "approve"}] * 101})
    assert too_many.status_code == 422 and too_many.mimetype == "application/problem+json"
    assert api(coordinator).post("/api/v1/bookings/decisions", json={"decisions": []}).status_code == 422
    assert api().post("/api/v1/bookings/decisions", json={"decisions": []}).status_code == 401


def test_the_openapi_document_covers_the_decisions_endpoint(client):
    assert "post" in client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/bookings/decisions"]
