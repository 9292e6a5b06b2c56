"""The audit log: append-only on both engines, refused requests recorded, admin search and export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from marketplace import audit
from marketplace.audit.models import AuditLog
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.marketplace.security._helpers import SECRET_NAME, audit_rows

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


def _add_row(db, **values) -> AuditLog:
    row = audit.record(db, actor=None, action=values.pop("action", "booking.read_participant"),
                       object_type=values.pop("object_type", "booking"), object_id=values.pop("object_id", 1),
                       now=values.pop("now", NOW), **values)
    db.commit()
    return row


@pytest.mark.parametrize("statement", ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"])
def test_the_database_refuses_to_change_or_delete_audit_rows(engine, db, statement):
    _add_row(db)
    with engine.connect() as connection:
        with pytest.raises(DatabaseError, match="append-only"):
            connection.execute(text(statement))
        connection.rollback()
    assert len(audit_rows(db)) == 1


def test_the_code_has_no_update_or_delete_path_for_audit_rows():
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    offenders = []
    for path in list((root / "marketplace").rglob("*.py")) + list((root / "billing").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "update(AuditLog" in source or "delete(AuditLog" in source or "DELETE FROM audit_log" in source:
            offenders.append(str(path))
    assert offenders == []


def test_a_refused_admin_page_is_recorded_with_who_and_from_where(client, login, staff_user, db):
    login(staff_user)
    assert client.get("/admin", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 403
    [row] = audit_rows(db, "access.denied")
    assert (row.actor_id, row.actor_email, row.ip, row.object_id, row.outcome) == (staff_user.id, staff_user.email, "10.1.2.3", "/admin", "refused")
    assert row.details["status"] == 403 and row.details["method"] == "GET"


def test_an_invisible_thing_is_recorded_as_not_found(client, login, staff_user, db):
    login(staff_user)
    assert client.get("/finns-inte").status_code == 404
    assert [row.object_id for row in audit_rows(db, "access.not_found")] == ["/finns-inte"]


def test_anonymous_browsing_is_not_recorded_but_a_wrong_password_is(client, staff_user, db):
    client.get("/finns-inte")
    client.post("/logga-in", data={"email": staff_user.email, "password": "fel-losenord"})
    rows = audit_rows(db)
    assert [row.action for row in rows] == ["auth.sign_in_refused"]
    assert rows[0].details["email"] == staff_user.email and rows[0].actor_id is None


def test_throttled_sign_ins_and_bad_tokens_are_recorded(client, staff_user, db, settings):
    for _ in range(settings.login_max_failures):
        client.post("/api/v1/auth/token", json={"email": staff_user.email, "password": "fel"})
    assert client.post("/api/v1/auth/token", json={"email": staff_user.email, "password": DEFAULT_PASSWORD}).status_code == 429
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer stolen-or-expired"}).status_code == 401
    actions = [row.action for row in audit_rows(db)]
    assert actions.count("auth.sign_in_refused") == settings.login_max_failures
    assert actions.count("auth.throttled") == 1
    assert actions.count("access.unauthenticated") == 1


def test_user_administration_is_audited(client, login, admin_user, db):
    login(admin_user)
    response = client.post("/admin/anvandare/ny", data={
        "name": "Ny Person", "email": "ny@test.se", "organisation": "RK", "roles": ["staff"], "password": "langt-losenord-1"})
    assert response.status_code == 302
    [created] = audit_rows(db, "user.create")
    client.post(f"/admin/anvandare/{created.object_id}/inaktivera")
    client.post(f"/admin/anvandare/{created.object_id}/aktivera")
    actions = [row.action for row in audit_rows(db) if row.object_type == "user"]
    assert actions == ["user.create", "user.deactivate", "user.reactivate"]
    assert all(row.actor_id == admin_user.id for row in audit_rows(db) if row.object_type == "user")


def test_a_password_change_is_audited_without_the_password(client, login, staff_user, db):
    login(staff_user)
    client.post("/konto/losenord", data={"current_password": DEFAULT_PASSWORD, "new_password": "ett-nytt-langt-losen"})
    [row] = audit_rows(db, "user.change_password")
    assert "ett-nytt-langt-losen" not in str(row.details) and row.object_id == str(staff_user.id)


def test_admin_searches_the_log_by_actor_action_and_date(client, login, admin_user, db):
    _add_row(db, action="booking.read_participant", now=datetime(2026, 4, 30, 21, 59, tzinfo=timezone.utc))
    _add_row(db, action="booking.approve", now=datetime(2026, 4, 30, 22, 1, tzinfo=timezone.utc))  # 1 May in Stockholm
    login(admin_user)
    page = client.get("/admin/granskningslogg?handelse=booking.&fran=2026-05-01&till=2026-05-01")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "booking.approve" in html and "booking.read_participant</code>" not in html
    assert "1 händelse" in html
    assert client.get("/admin/granskningslogg?fran=igår").status_code == 422


def test_the_log_pages_through_many_rows(client, login, admin_user, db):
    for number in range(60):
        audit.record(db, actor=None, action="booking.read_participant", object_type="booking", object_id=number, now=NOW)
    db.commit()
    login(admin_user)
    first = client.get("/admin/granskningslogg?handelse=booking.read").get_data(as_text=True)
    assert "60 händelser" in first and 'rel="next"' in first
    second = client.get("/admin/granskningslogg?handelse=booking.read&page=2").get_data(as_text=True)
    assert second.count("<tr>") == 1 + 10  # the header row and the ten left


def test_the_csv_export_has_every_matching_row_for_excel_and_is_itself_audited(client, login, admin_user, db):
    _add_row(db, action="booking.read_participant", object_id=7, details={"ref": "B-2026-000007"})
    _add_row(db, action="programme.update", object_type="programme", object_id=3)
    login(admin_user)
    response = client.get("/admin/granskningslogg.csv?handelse=booking.")
    body = response.get_data()
    response.close()  # a streamed body holds its database session until the server closes it
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["id", "at", "actor_email", "organisation_code", "action"]
    assert [row[4] for row in rows[1:]] == ["booking.read_participant"]
    assert audit_rows(db, "audit.export")[0].actor_id == admin_user.id


@pytest.mark.parametrize("user_fixture", ["staff_user", "coordinator", "finance_user"])
def test_only_admin_reaches_the_audit_pages(request, client, login, user_fixture):
    login(request.getfixturevalue(user_fixture))
    for path in ("/admin", "/admin/granskningslogg", "/admin/granskningslogg.csv", "/admin/loggkontroll", "/admin/gallring"):
        assert client.get(path).status_code == 403, path


def test_no_audit_row_ever_holds_a_participant_name(client, login, staff_user, db):
    from tests.factories import make_programme
    from tests.marketplace.security._helpers import make_booking

    booking = make_booking(db, make_programme(db), requester_id=staff_user.id, status="approved")
    login(staff_user)
    client.get(f"/placeringar/{booking.id}")
    client.get(f"/api/v1/bookings/{booking.id}")
    assert all(SECRET_NAME not in str(row.details) for row in audit_rows(db))


def test_the_booking_and_programme_flows_leave_their_trail(api, db, staff_user, coordinator, frozen_clock):
    from tests.factories import make_programme

    frozen_clock(NOW)
    programme = make_programme(db, capacity=3)
    staff, coord = api(staff_user), api(coordinator)
    created = staff.post("/api/v1/bookings", json={
        "programme_id": programme.id, "start_date": "2026-06-01", "end_date": "2026-06-30",
        "participant": {"reference": "ÄR-1", "name": SECRET_NAME},
        "assignment": {"purpose": "Syfte", "goals": "Mål", "tasks": "Uppgifter"}})
    assert created.status_code == 201, created.get_data(as_text=True)
    booking_id = str(created.get_json()["id"])
    staff.get(f"/api/v1/bookings/{booking_id}")
    coord.post(f"/api/v1/bookings/{booking_id}/approve")
    coord.patch(f"/api/v1/programmes/{programme.id}", json={"schedule": "Mån–fre 8–12"})
    trail = [(row.action, row.actor_id) for row in audit_rows(db) if row.object_id in (booking_id, str(programme.id))]
    assert ("booking.request", staff_user.id) in trail
    assert ("booking.read_participant", staff_user.id) in trail
    assert ("booking.approve", coordinator.id) in trail
    assert ("programme.update", coordinator.id) in trail
    assert all(SECRET_NAME not in str(row.details) for row in audit_rows(db))
