"""Supervisors (arbetsledare) and managers (enhetschef): who assigns a supervisor, and what each
role sees of a placement and its participant, on the pages and in the API, with the audit trail."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.auth.models import ProgrammeSupervisor
from marketplace.bookings.models import BookingEvent
from marketplace.followups.jobs import sweep_schedules
from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.kernel import clock
from tests.factories import make_user
from tests.marketplace.followups._factories import make_booking, make_programme

SECRET = "Hemlig Deltagarsson"


def _world(db):
    """AMF runs a programme; RK buys a place in it. Two supervisors at AMF, a manager on each side."""
    people = {
        "staff": make_user(db, organisation="RK", roles=["staff"], email="staff@rk.test"),
        "coordinator": make_user(db, organisation="AMF", roles=["coordinator"], email="coordinator@amf.test"),
        "supervisor": make_user(db, organisation="AMF", roles=["supervisor"], email="supervisor@amf.test", name="Sara Arbetsledare"),
        "other_supervisor": make_user(db, organisation="AMF", roles=["supervisor"], email="other.supervisor@amf.test"),
        "manager_buyer": make_user(db, organisation="RK", roles=["manager"], email="manager@rk.test"),
        "manager_provider": make_user(db, organisation="AMF", roles=["manager"], email="manager@amf.test"),
        "manager_other": make_user(db, organisation="HV", roles=["manager"], email="manager@hv.test"),
    }
    programme = make_programme(db, organisation="AMF")
    other_programme = make_programme(db, organisation="AMF", name="Caféet")
    booking = make_booking(db, programme, people["staff"], start=date(2026, 1, 12), end=date(2026, 9, 30))
    booking.participant_name = SECRET
    db.add(BookingEvent(booking_id=booking.id, at=clock.now(), actor_id=people["coordinator"].id, from_status="approved",
                        to_status="active", note=f"{SECRET} började i dag"))
    db.commit()
    sweep_schedules(db, now=clock.now())
    db.commit()
    return people, programme, other_programme, booking


def _assign(db, programme, user):
    db.add(ProgrammeSupervisor(programme_id=programme.id, user_id=user.id, assigned_at=clock.now()))
    db.commit()


# --- assigning -------------------------------------------------------------------------------


def test_a_coordinator_assigns_and_removes_a_supervisor_through_the_api(db, api, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, programme, _other, _booking = _world(db)
    caller = api(people["coordinator"])
    url = f"/api/v1/programmes/{programme.id}/supervisors/{people['supervisor'].id}"
    first = caller.put(url)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["name"] == "Sara Arbetsledare" and first.get_json()["email"] == "supervisor@amf.test"
    assert caller.put(url).status_code == 200  # already assigned: the same answer, no second row
    listed = caller.get(f"/api/v1/programmes/{programme.id}/supervisors").get_json()
    assert [item["id"] for item in listed["items"]] == [people["supervisor"].id] and listed["total"] == 1
    assert caller.delete(url).status_code == 204
    assert caller.delete(url).status_code == 204  # removing again changes nothing
    assert caller.get(f"/api/v1/programmes/{programme.id}/supervisors").get_json()["items"] == []
    db.rollback()
    actions = db.execute(select(AuditLog.action).where(AuditLog.object_type == "programme",
                                                       AuditLog.object_id == str(programme.id))).scalars().all()
    assert sorted(actions) == ["programme.assign_supervisor", "programme.unassign_supervisor"]


def test_only_the_keepers_assign_and_only_their_own_active_supervisors(db, api, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, programme, _other, _booking = _world(db)
    hv_coordinator = make_user(db, organisation="HV", roles=["coordinator"], email="coordinator@hv.test")
    hv_supervisor = make_user(db, organisation="HV", roles=["supervisor"], email="supervisor@hv.test")
    inactive = make_user(db, organisation="AMF", roles=["supervisor"], email="inactive@amf.test")
    inactive.active = False
    db.commit()
    base = f"/api/v1/programmes/{programme.id}/supervisors"
    supervisor_url = f"{base}/{people['supervisor'].id}"
    assert api(hv_coordinator).put(supervisor_url).status_code == 403
    assert api(people["supervisor"]).put(supervisor_url).status_code == 403  # not even itself
    assert api(people["manager_provider"]).get(base).status_code == 403
    assert api(people["staff"]).delete(supervisor_url).status_code == 403
    coordinator = api(people["coordinator"])
    assert coordinator.put(f"{base}/{hv_supervisor.id}").status_code == 404  # another organisation's user
    assert coordinator.put(f"{base}/999999").status_code == 404
    for user in (people["coordinator"], inactive):  # no supervisor role, or deactivated
        refused = coordinator.put(f"{base}/{user.id}")
        assert refused.status_code == 422 and refused.headers["Content-Type"] == "application/problem+json"
        assert refused.get_json()["errors"][0]["field"] == "user_id"
    db.rollback()
    assert db.execute(select(ProgrammeSupervisor)).first() is None


def test_the_coordinators_page_assigns_and_removes_supervisors(client, login, db, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, programme, _other, _booking = _world(db)
    login(people["coordinator"])
    programme_page = client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert f"/vara-insatser/{programme.id}/arbetsledare" in programme_page
    page = client.get(f"/vara-insatser/{programme.id}/arbetsledare")
    assert page.status_code == 200 and "Sara Arbetsledare" in page.get_data(as_text=True)
    empty = client.post(f"/vara-insatser/{programme.id}/arbetsledare", data={"user_id": "0"})
    assert empty.status_code == 422 and "Välj en arbetsledare." in empty.get_data(as_text=True)
    wrong = client.post(f"/vara-insatser/{programme.id}/arbetsledare", data={"user_id": str(people["staff"].id)})
    assert wrong.status_code == 422 and "Välj en aktiv arbetsledare i er organisation." in wrong.get_data(as_text=True)
    added = client.post(f"/vara-insatser/{programme.id}/arbetsledare", data={"user_id": str(people["supervisor"].id)},
                        follow_redirects=True)
    assert "Arbetsledaren är tillagd på insatsen." in added.get_data(as_text=True)
    db.rollback()
    assert db.get(ProgrammeSupervisor, (programme.id, people["supervisor"].id)) is not None
    removed = client.post(f"/vara-insatser/{programme.id}/arbetsledare/{people['supervisor'].id}/ta-bort",
                          follow_redirects=True)
    assert "Arbetsledaren är borttagen från insatsen." in removed.get_data(as_text=True)
    db.rollback()
    assert db.get(ProgrammeSupervisor, (programme.id, people["supervisor"].id)) is None


# --- what a supervisor sees and does ------------------------------------------------------------


def test_a_supervisor_sees_the_participant_only_in_its_assigned_programme(client, login, db, api, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, programme, other_programme, booking = _world(db)
    elsewhere = make_booking(db, other_programme, people["staff"], start=date(2026, 1, 12), end=date(2026, 9, 30))
    supervisor = api(people["supervisor"])
    assert supervisor.get(f"/api/v1/bookings/{booking.id}").status_code == 404  # not yet assigned
    assert supervisor.get("/api/v1/bookings").get_json()["items"] == []
    assert api(people["coordinator"]).put(
        f"/api/v1/programmes/{programme.id}/supervisors/{people['supervisor'].id}").status_code == 201
    document = supervisor.get(f"/api/v1/bookings/{booking.id}").get_json()
    assert document["participant"]["name"] == SECRET and document["assignment"]["purpose"] == "Arbetsträning"
    assert [item["id"] for item in supervisor.get("/api/v1/bookings").get_json()["items"]] == [booking.id]
    assert supervisor.get(f"/api/v1/bookings/{elsewhere.id}").status_code == 404  # another programme of AMF
    assert api(people["other_supervisor"]).get(f"/api/v1/bookings/{booking.id}").status_code == 404
    login(people["supervisor"])
    page = client.get(f"/placeringar/{booking.id}")
    assert page.status_code == 200 and SECRET in page.get_data(as_text=True)
    listing = client.get("/placeringar").get_data(as_text=True)
    assert "Placeringar i mina insatser" in listing and booking.ref in listing and elsewhere.ref not in listing
    assert client.get(f"/placeringar/{elsewhere.id}").status_code == 404
    db.rollback()
    reads = db.execute(select(AuditLog.object_id).where(AuditLog.action == "booking.read_participant",
                                                        AuditLog.actor_id == people["supervisor"].id)).scalars().all()
    assert str(booking.id) in reads and str(elsewhere.id) not in reads


def test_a_supervisor_records_attendance_and_follow_ups_and_does_nothing_else(client, login, db, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, programme, _other, booking = _world(db)
    _assign(db, programme, people["supervisor"])
    followup = db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id, FollowUp.sequence == 1)).scalar_one()
    login(people["supervisor"])
    attendance = client.post(f"/uppfoljningar/placering/{booking.id}/narvaro", data={
        "week_start": "2026-02-11", "present_days": "4", "absent_notified_days": "1", "absent_unnotified_days": "0"})
    assert attendance.status_code == 302
    recorded = client.post(f"/uppfoljningar/{followup.id}", data={
        "attendance_share": "80", "capacity_physical": "4", "capacity_mental": "3", "capacity_social": "3",
        "participant_view": "Trivs", "progress_goals": "Kommer i tid", "progress_sub_goals": "", "notes": "Bra vecka"})
    assert recorded.status_code == 302
    assert "/uppfoljningar/" in client.get("/uppfoljningar").get_data(as_text=True)
    # the booking page offers no decisions, messages or meetings to a supervisor
    page = client.get(f"/placeringar/{booking.id}").get_data(as_text=True)
    assert f"/placeringar/{booking.id}/avsluta" not in page and f"/placeringar/{booking.id}/moten" not in page
    assert client.post(f"/placeringar/{booking.id}/avsluta", data={"end_date": "2026-02-20", "outcome": "work"}).status_code == 403
    assert client.post(f"/placeringar/{booking.id}/meddelanden", data={"body": "Hej"}).status_code == 404
    assert client.get("/statistik").status_code == 403 and client.get("/fakturering").status_code == 403
    db.rollback()
    week = db.execute(select(AttendanceWeek).where(AttendanceWeek.booking_id == booking.id)).scalar_one()
    assert week.present_days == 4 and db.get(FollowUp, followup.id).done_at is not None
    assert db.get(FollowUp, followup.id).notes == "Bra vecka"


def test_removing_a_supervisor_ends_its_view_at_once(client, login, db, api, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, programme, _other, booking = _world(db)
    coordinator = api(people["coordinator"])
    url = f"/api/v1/programmes/{programme.id}/supervisors/{people['supervisor'].id}"
    coordinator.put(url)
    supervisor = api(people["supervisor"])
    assert supervisor.get(f"/api/v1/bookings/{booking.id}").status_code == 200
    login(people["supervisor"])
    assert client.get(f"/placeringar/{booking.id}").status_code == 200
    assert coordinator.delete(url).status_code == 204
    assert supervisor.get(f"/api/v1/bookings/{booking.id}").status_code == 404
    assert client.get(f"/placeringar/{booking.id}").status_code == 404
    assert client.get(f"/uppfoljningar/placering/{booking.id}/narvaro").status_code == 404


# --- what a manager sees --------------------------------------------------------------------------


def test_a_manager_reads_its_organisations_bookings_without_the_participant(client, login, db, api, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, _programme, _other, booking = _world(db)
    followup = db.execute(select(FollowUp).where(FollowUp.booking_id == booking.id, FollowUp.sequence == 1)).scalar_one()
    for key in ("manager_buyer", "manager_provider"):
        caller = api(people[key])
        document = caller.get(f"/api/v1/bookings/{booking.id}").get_json()
        assert document["ref"] == booking.ref and document["status"] == "active"
        assert {"participant", "assignment", "decision"}.isdisjoint(document), document
        assert SECRET not in str(document) and document["events"][-1]["to"] == "active"
        listed = caller.get("/api/v1/bookings").get_json()
        assert [item["id"] for item in listed["items"]] == [booking.id]
        assert "participant" not in listed["items"][0] and SECRET not in str(listed)
        assert caller.post(f"/api/v1/bookings/{booking.id}/end", json={"end_date": "2026-02-20", "outcome": "work"}).status_code == 403
        assert caller.get(f"/api/v1/bookings/{booking.id}/messages").status_code == 404
    assert api(people["manager_other"]).get(f"/api/v1/bookings/{booking.id}").status_code == 404
    login(people["manager_buyer"])
    start = client.get("/").get_data(as_text=True)
    assert "Pågående placeringar" in start and booking.ref in start and SECRET not in start
    page = client.get(f"/placeringar/{booking.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and booking.ref in text
    for hidden in (SECRET, booking.participant_reference, "Klara en arbetsdag", "BB-1"):
        assert hidden not in text, hidden
    assert f"/placeringar/{booking.id}/avsluta" not in text
    listing = client.get("/placeringar").get_data(as_text=True)
    assert "Organisationens placeringar" in listing and booking.ref in listing
    assert booking.participant_reference not in listing
    assert client.get(f"/uppfoljningar/{followup.id}").status_code == 404
    assert client.get(f"/uppfoljningar/placering/{booking.id}/narvaro").status_code == 404
    assert client.get("/statistik").status_code == 200
    assert client.post(f"/placeringar/{booking.id}/avsluta", data={"end_date": "2026-02-20", "outcome": "work"}).status_code == 403
    db.rollback()
    manager_ids = [people[key].id for key in ("manager_buyer", "manager_provider")]
    assert db.execute(select(AuditLog).where(AuditLog.action == "booking.read_participant",
                                             AuditLog.actor_id.in_(manager_ids))).first() is None


def test_the_new_roles_are_given_from_the_command_line_and_the_admin_page(app, db, login, client):
    from marketplace.cli import main

    runner = app.test_cli_runner()
    for role, email in (("supervisor", "cli.supervisor@amf.test"), ("manager", "cli.manager@amf.test")):
        result = runner.invoke(main, ["users", "create", "--email", email, "--password", "ett-langt-losenord-2026",
                                      "--name", "Ny Person", "--organisation", "AMF", "--role", role], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert f"({role})" in result.output
    admin = make_user(db, organisation="AMF", roles=["admin"], email="admin@amf.test")
    login(admin)
    form = client.get("/admin/anvandare/ny").get_data(as_text=True)
    assert 'value="supervisor"' in form and 'value="manager"' in form and "Arbetsledare" in form and "Enhetschef" in form


def test_a_supervisor_who_is_also_manager_sees_participants_only_in_its_programmes(client, login, db, api, frozen_clock):
    frozen_clock("2026-02-20T09:00:00+01:00")
    people, programme, other_programme, booking = _world(db)
    elsewhere = make_booking(db, other_programme, people["staff"], start=date(2026, 1, 12), end=date(2026, 9, 30))
    both = make_user(db, organisation="AMF", roles=["supervisor", "manager"], email="both@amf.test")
    _assign(db, programme, both)
    items = {item["id"]: item for item in api(both).get("/api/v1/bookings").get_json()["items"]}
    assert set(items) == {booking.id, elsewhere.id}
    assert items[booking.id]["participant"]["name"] == SECRET and "participant" not in items[elsewhere.id]
    login(both)
    listing = client.get("/placeringar").get_data(as_text=True)
    assert booking.participant_reference in listing and elsewhere.participant_reference not in listing
    assert elsewhere.ref in listing
    db.rollback()
    reads = db.execute(select(AuditLog.object_id).where(AuditLog.action == "booking.read_participant",
                                                        AuditLog.actor_id == both.id)).scalars().all()
    assert str(booking.id) in reads and str(elsewhere.id) not in reads


def test_the_supervisor_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert set(paths["/api/v1/programmes/{programme_id}/supervisors"]) == {"get"}
    assert set(paths["/api/v1/programmes/{programme_id}/supervisors/{user_id}"]) == {"put", "delete"}
    put = paths["/api/v1/programmes/{programme_id}/supervisors/{user_id}"]["put"]
    assert {"200", "201", "403", "404", "422"} <= set(put["responses"])
