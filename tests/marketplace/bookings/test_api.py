"""The bookings API against API.md: shapes, status codes, idempotency, problem+json."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from marketplace.audit.models import AuditLog
from marketplace.bookings.models import Booking
from tests.marketplace.bookings._factories import _make_programme

START = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


def _body(programme, **overrides):
    body = {
        "programme_id": programme.id, "start_date": START.isoformat(), "end_date": (START + timedelta(days=27)).isoformat(),
        "participant": {"reference": "ÄR-77", "name": "Lina Berg", "contact": "070-123 45 67", "needs": "Ramp"},
        "assignment": {"purpose": "Pröva arbete", "goals": "Fyra timmar", "sub_goals": "Tider", "tasks": "Park",
                       "participant_view": "Positiv"},
        "fia_completed": True, "decision": {"reference": "SoL-1", "date": "2026-02-20"}, "waitlist": False,
    }
    body.update(overrides)
    return body


def test_staff_request_a_place_and_get_the_booking_document(as_user, api, db, staff_user, coordinator):
    programme = _make_programme(db, capacity=1, price_ore=450_000)
    response = as_user(staff_user).post("/api/v1/bookings", json=_body(programme))

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "requested"
    assert body["ref"].startswith("B-2026-")
    assert body["hold_expires_at"].startswith("2026-03-12T09:00:00")
    assert body["programme"] == {"id": programme.id, "code": programme.code, "name": programme.name,
                                 "organisation": {"code": "AMF", "name": body["programme"]["organisation"]["name"]}}
    assert body["buyer"]["code"] == "RK"
    assert body["participant"] == {"reference": "ÄR-77", "name": "Lina Berg", "contact": "070-123 45 67", "needs": "Ramp"}
    assert body["assignment"]["participant_view"] == "Positiv"
    assert body["price"] == {"amount": "4500.00", "currency": "SEK", "unit": "month"}
    assert body["waitlist_position"] is None and body["outcome"] is None and body["decision_missing"] is False
    assert [(e["from"], e["to"]) for e in body["events"]] == [(None, "requested")]
    assert set(body) >= {"id", "ref", "status", "programme", "buyer", "start_date", "end_date", "hold_expires_at",
                         "waitlist_position", "participant", "assignment", "fia_completed", "outcome", "events"}


def test_full_without_waitlist_is_409_and_with_waitlist_201_with_position(as_user, api, db, staff_user, other_staff_user):
    programme = _make_programme(db, capacity=1)
    assert as_user(staff_user).post("/api/v1/bookings", json=_body(programme)).status_code == 201
    full = as_user(other_staff_user).post("/api/v1/bookings", json=_body(programme))
    assert full.status_code == 409
    assert full.mimetype == "application/problem+json"
    waiting = as_user(other_staff_user).post("/api/v1/bookings", json=_body(programme, waitlist=True))
    assert waiting.status_code == 201
    assert (waiting.get_json()["status"], waiting.get_json()["waitlist_position"]) == ("waitlisted", 1)


def test_refused_requests_take_no_booking_number(as_user, api, db, staff_user, other_staff_user):
    # The id (and so the ref) is taken after the capacity check and validation: a 409 or a 422
    # leaves no gap between the refs staff see.
    programme = _make_programme(db, capacity=1)
    first = as_user(staff_user).post("/api/v1/bookings", json=_body(programme)).get_json()
    assert as_user(other_staff_user).post("/api/v1/bookings", json=_body(programme)).status_code == 409
    assert as_user(other_staff_user).post("/api/v1/bookings", json=_body(programme, start_date="2026-03-01")).status_code == 422
    second = as_user(other_staff_user).post("/api/v1/bookings", json=_body(programme, waitlist=True)).get_json()
    assert second["id"] == first["id"] + 1
    assert second["ref"] == f"B-2026-{first['id'] + 1:06d}"


@pytest.mark.parametrize("waitlisted", [False, True])
def test_the_answer_to_a_request_is_the_document_a_later_read_returns(as_user, api, db, staff_user, other_staff_user,
                                                                        waitlisted):
    # The 201 is built from what the request holds, not read back: it must say the same.
    programme = _make_programme(db, capacity=1)
    if waitlisted:
        assert as_user(other_staff_user).post("/api/v1/bookings", json=_body(programme)).status_code == 201
    caller = as_user(staff_user)
    created = caller.post("/api/v1/bookings", json=_body(programme, waitlist=waitlisted))
    assert created.status_code == 201, created.get_json()
    read = caller.get(f"/api/v1/bookings/{created.get_json()['id']}")
    assert read.status_code == 200
    # The 201 adds what its sender should know (warnings); a read adds the participant's other
    # bookings and the forward links.
    assert created.get_json().pop("warnings") == []
    assert {key: value for key, value in read.get_json().items()
            if key not in ("related", "forwarded_from", "forwarded_to")} == {
        key: value for key, value in created.get_json().items() if key != "warnings"}
    assert created.get_json()["status"] == ("waitlisted" if waitlisted else "requested")
    assert [e["actor"] for e in created.get_json()["events"]] == [staff_user.name]


def test_a_booking_request_reads_in_its_own_transaction_and_nothing_after_it(app, as_user, db, staff_user, coordinator):
    # The statements are most of a request's cost (benchmarks/RESULTS.md): the programme, its lock,
    # both organisations and the Idempotency-Key come in one read, and the 201 reads nothing more.
    programme = _make_programme(db, capacity=5)
    caller = as_user(staff_user)
    engine, seen = app.extensions["insatstorget"].engine, []

    def statement(_connection, _cursor, sql, *_args):
        if not sql.startswith("BEGIN"):  # SQLite's explicit BEGIN (marketplace/db.py)
            seen.append(sql.split(None, 1)[0].upper())

    def commit(_connection):
        seen.append("COMMIT")

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        response = caller.post("/api/v1/bookings", json=_body(programme), headers={"Idempotency-Key": "k-9"})
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["programme"]["organisation"]["code"] == "AMF" and response.get_json()["buyer"]["code"] == "RK"
    assert seen[-1] == "COMMIT" and seen.count("COMMIT") == 1, seen
    # The bearer token (the tests cache no token); the programme, locked, with both organisations
    # and the key; the places committed; the coordinators to tell and each one's mail setting for
    # requests (notifications/delivery.py); the full-days refresh; the
    # participant's open placements (the 201's warnings); the two organisations' webhook endpoints
    # (booking.requested goes into the webhook outbox in this transaction); and on PostgreSQL the booking's id from
    # its sequence, so its ref goes out in the INSERT. SQLite's insert chooses the id, and an
    # UPDATE then writes the ref.
    on_sqlite = engine.dialect.name == "sqlite"
    assert seen.count("SELECT") == (8 if on_sqlite else 9), seen
    assert seen.count("UPDATE") == (1 if on_sqlite else 0), seen


@pytest.mark.parametrize("overrides, field", [
    ({"start_date": "2026-03-01"}, "start_date"),
    ({"end_date": "2026-03-10"}, "end_date"),
    ({"end_date": "2027-06-01"}, "end_date"),
    ({"participant": {"reference": "x"}}, "participant.name"),
    ({"assignment": {"purpose": "p", "goals": "g"}}, "assignment.tasks"),
    ({"start_date": "16/3/2026"}, "start_date"),
    ({"programme_id": "abc"}, "programme_id"),
    ({"surprise": 1}, "surprise"),
    ({"participant": {"reference": "x", "name": "Lina\x00Berg"}}, "participant.name"),
])
def test_invalid_requests_are_422_naming_the_field_and_create_nothing(as_user, api, db, staff_user, overrides, field):
    programme = _make_programme(db, capacity=1, max_weeks=52)
    response = as_user(staff_user).post("/api/v1/bookings", json=_body(programme, **overrides))
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert any(field in error["field"] for error in response.get_json()["errors"])
    assert db.execute(select(func.count(Booking.id))).scalar_one() == 0


def test_an_unpublished_or_unknown_programme_is_422(as_user, api, db, staff_user):
    draft = _make_programme(db, status="draft")
    assert as_user(staff_user).post("/api/v1/bookings", json=_body(draft)).status_code == 422
    response = as_user(staff_user).post("/api/v1/bookings", json={**_body(draft), "programme_id": 999_999})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "programme_id"


def test_only_staff_request_places(as_user, api, db, coordinator, finance_user):
    programme = _make_programme(db)
    assert as_user(coordinator).post("/api/v1/bookings", json=_body(programme)).status_code == 403
    assert api().post("/api/v1/bookings", json=_body(programme)).status_code == 401


def test_the_same_idempotency_key_returns_the_first_answer(as_user, api, db, staff_user):
    programme = _make_programme(db, capacity=5)
    caller = as_user(staff_user)
    first = caller.post("/api/v1/bookings", json=_body(programme), headers={"Idempotency-Key": "k-1"})
    again = caller.post("/api/v1/bookings", json=_body(programme), headers={"Idempotency-Key": "k-1"})
    other = caller.post("/api/v1/bookings", json=_body(programme), headers={"Idempotency-Key": "k-2"})

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 201)
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert other.get_json()["id"] != first.get_json()["id"]
    assert db.execute(select(func.count(Booking.id))).scalar_one() == 2
    moved = caller.post("/api/v1/bookings", json=_body(programme, start_date="2026-03-20"), headers={"Idempotency-Key": "k-1"})
    assert moved.status_code == 422


def test_the_coordinator_approves_and_the_transition_is_recorded(as_user, api, db, staff_user, coordinator):
    booking_id = as_user(staff_user).post("/api/v1/bookings", json=_body(_make_programme(db))).get_json()["id"]
    response = as_user(coordinator).post(f"/api/v1/bookings/{booking_id}/approve")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "approved"
    assert [(e["from"], e["to"], e["actor"]) for e in body["events"]][-1] == ("requested", "approved", coordinator.name)
    again = as_user(coordinator).post(f"/api/v1/bookings/{booking_id}/approve")
    assert again.status_code == 409 and again.mimetype == "application/problem+json"


def test_reject_cancel_and_end_need_their_fields(as_user, api, db, staff_user, coordinator):
    programme = _make_programme(db, capacity=3)
    ids = [as_user(staff_user).post("/api/v1/bookings", json=_body(programme)).get_json()["id"] for _ in range(3)]
    assert as_user(coordinator).post(f"/api/v1/bookings/{ids[0]}/reject", json={}).status_code == 422
    assert as_user(coordinator).post(f"/api/v1/bookings/{ids[0]}/reject", json={"reason": "Fullt"}).get_json()["status"] == "rejected"
    assert as_user(staff_user).post(f"/api/v1/bookings/{ids[1]}/cancel", json={"reason": "Flyttat"}).get_json()["status"] == "cancelled"
    assert as_user(coordinator).post(f"/api/v1/bookings/{ids[2]}/approve").status_code == 200
    assert as_user(staff_user).post(f"/api/v1/bookings/{ids[2]}/end", json={"end_date": "2026-03-20", "outcome": "work"}).status_code == 409


def test_end_extension_and_outcome_through_the_api(as_user, api, db, frozen_clock, staff_user, coordinator):
    programme = _make_programme(db, capacity=1)
    booking_id = as_user(staff_user).post("/api/v1/bookings", json=_body(programme)).get_json()["id"]
    as_user(coordinator).post(f"/api/v1/bookings/{booking_id}/approve")
    assert as_user(staff_user).post(f"/api/v1/bookings/{booking_id}/extension", json={"end_date": "2026-04-20"}).status_code == 200
    assert as_user(coordinator).post(f"/api/v1/bookings/{booking_id}/extension", json={"end_date": "2026-04-20"}).status_code == 403
    approved = as_user(coordinator).post(f"/api/v1/bookings/{booking_id}/extension/approve")
    assert approved.get_json()["end_date"] == "2026-04-20" and approved.get_json()["extension"] is None
    frozen_clock("2026-03-30T10:00:00+02:00")
    late = api(coordinator)  # tokens last hours, not weeks
    bad = late.post(f"/api/v1/bookings/{booking_id}/end", json={"end_date": "2026-03-27", "outcome": "luck"})
    assert bad.status_code == 422
    ended = late.post(f"/api/v1/bookings/{booking_id}/end", json={"end_date": "2026-03-27", "outcome": "studies"})
    assert ended.status_code == 200
    assert (ended.get_json()["status"], ended.get_json()["end_date"], ended.get_json()["outcome"]) == ("ended", "2026-03-27", "studies")


def test_the_list_shows_only_what_the_caller_may_see_filtered_by_side_and_status(as_user, api, db, staff_user, other_staff_user, coordinator):
    programme = _make_programme(db, capacity=5)
    mine = [as_user(staff_user).post("/api/v1/bookings", json=_body(programme)).get_json()["id"] for _ in range(2)]
    as_user(other_staff_user).post("/api/v1/bookings", json=_body(programme))
    as_user(coordinator).post(f"/api/v1/bookings/{mine[0]}/approve")

    listed = as_user(staff_user).get("/api/v1/bookings").get_json()
    assert (listed["total"], listed["page"], listed["per_page"]) == (2, 1, 20)
    assert {b["id"] for b in listed["items"]} == set(mine)
    assert as_user(staff_user).get("/api/v1/bookings?status=approved").get_json()["total"] == 1
    assert as_user(coordinator).get("/api/v1/bookings?as=provider").get_json()["total"] == 3
    assert as_user(coordinator).get("/api/v1/bookings?as=buyer").get_json()["total"] == 0
    assert as_user(staff_user).get("/api/v1/bookings?status=nonsense").status_code == 422
    assert as_user(staff_user).get("/api/v1/bookings?per_page=101").status_code == 422


def test_reading_a_booking_is_audited_without_participant_data(as_user, api, db, staff_user):
    booking_id = as_user(staff_user).post("/api/v1/bookings", json=_body(_make_programme(db))).get_json()["id"]
    assert as_user(staff_user).get(f"/api/v1/bookings/{booking_id}").status_code == 200
    rows = db.execute(select(AuditLog).where(AuditLog.action == "booking.read_participant")).scalars().all()
    assert [(r.object_id, r.actor_id) for r in rows] == [(str(booking_id), staff_user.id)]
    assert "Lina" not in str(rows[0].details)


def test_availability_counts_holds_until_they_expire(as_user, api, db, frozen_clock, staff_user):
    programme = _make_programme(db, capacity=2)
    as_user(staff_user).post("/api/v1/bookings", json=_body(programme))
    day = as_user(staff_user).get(f"/api/v1/programmes/{programme.id}/availability?from=2026-03-16&to=2026-03-16").get_json()
    assert day["days"] == [{"date": "2026-03-16", "committed": 1, "free": 1}]
    frozen_clock("2026-03-12T09:59:59+01:00")
    day = api(staff_user).get(f"/api/v1/programmes/{programme.id}/availability?from=2026-03-16&to=2026-03-16").get_json()
    assert day["days"][0]["committed"] == 1
    frozen_clock("2026-03-12T10:00:00+01:00")  # the hold's expiry moment; no job has run
    day = api(staff_user).get(f"/api/v1/programmes/{programme.id}/availability?from=2026-03-16&to=2026-03-16").get_json()
    assert day["days"] == [{"date": "2026-03-16", "committed": 0, "free": 2}]


@pytest.mark.parametrize("change", [
    {"end_date": "2026-04-10"},
    {"participant": {"reference": "ÄR-2", "name": "Någon Annan"}},
    {"assignment": {"purpose": "Annat syfte", "goals": "g", "tasks": "t"}},
    {"waitlist": True},
    {"fia_completed": False},
])
def test_an_idempotency_key_reused_for_another_body_is_422_and_the_first_booking_stays(as_user, api, db, staff_user, change):
    programme = _make_programme(db, capacity=5, max_weeks=52)
    caller = as_user(staff_user)
    first = caller.post("/api/v1/bookings", json=_body(programme), headers={"Idempotency-Key": "k-reuse"})
    assert first.status_code == 201, first.get_json()
    reused = caller.post("/api/v1/bookings", json=_body(programme, **change), headers={"Idempotency-Key": "k-reuse"})
    assert reused.status_code == 422, reused.get_json()
    assert reused.mimetype == "application/problem+json"
    assert reused.get_json()["type"].endswith("/idempotency_key_reused")
    assert "Idempotent-Replayed" not in reused.headers
    assert db.execute(select(func.count(Booking.id))).scalar_one() == 1
    # The genuine retry (same body, other key order) still replays the first booking.
    retry = caller.post("/api/v1/bookings", json=dict(reversed(list(_body(programme).items()))),
                        headers={"Idempotency-Key": "k-reuse"})
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json()["id"] == first.get_json()["id"]
