"""The disputes API: the buyer disputes, the provider answers once, the credit becomes one credit
line in the next month closed; who sees what; every refusal is problem+json and changes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from billing.disputes.models import Dispute
from billing.models import ChargeLine
from marketplace.audit.models import AuditLog
from marketplace.notifications.models import Notification
from tests.billing._factories import make_booking, make_programme
from tests.billing.disputes._helpers import BASE, close, march_to_april, users


@pytest.fixture
def people(db):
    return users(db)


def _raise(api, user, ref, period="2026-03", reason="Platsen stod tom halva mars."):
    return api(user).post(BASE, json={"booking_ref": ref, "period": period, "reason": reason})


def _csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_the_buyer_disputes_a_closed_line_the_provider_credits_it_and_the_next_close_writes_it_once(
        db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, 6, 0, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")

    raised = _raise(api, people["buyer_finance"], booking.ref)
    assert raised.status_code == 201, raised.get_data(as_text=True)
    body = raised.get_json()
    assert body["status"] == "open" and body["booking_ref"] == booking.ref and body["period"] == "2026-03"
    assert (body["buyer"], body["provider"], body["decision"], body["credit"]) == ("RK", "AMF", None, None)

    answer = api(people["provider_finance"]).post(f"{BASE}/{body['id']}/resolve",
                                                  json={"decision": "accepted", "note": "Stämmer.", "credit": "500.00"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_json()["credit"] == {"amount": "500.00", "currency": "SEK"}
    assert answer.get_json()["status"] == "resolved" and answer.get_json()["credited_in"] is None

    result, files = close(engine, settings, "2026-04", datetime(2026, 5, 2, 6, 0, tzinfo=timezone.utc))
    credit = db.execute(select(ChargeLine).where(ChargeLine.kind == "credit")).scalars().all()
    assert [(c.period, c.corrects_period, c.booking_ref, c.amount_ore) for c in credit] == [
        ("2026-04", "2026-03", booking.ref, -500_00)]
    assert result.total_ore == 450_000 - 500_00
    rows = _csv_rows(next(f for f in files if f.format == "csv").path.read_bytes())
    assert [(r["booking_ref"], r["amount"], r["correction_of"]) for r in rows] == [
        (booking.ref, "4500,00", ""), (booking.ref, "-500,00", "2026-03")]

    # Later closes, and closing April again, never write it again.
    close(engine, settings, "2026-04", datetime(2026, 5, 3, tzinfo=timezone.utc))
    close(engine, settings, "2026-05", datetime(2026, 6, 2, tzinfo=timezone.utc))
    db.rollback()
    assert db.execute(select(func.count()).select_from(ChargeLine).where(ChargeLine.kind == "credit")).scalar_one() == 1
    shown = api(people["buyer_finance"]).get(f"{BASE}/{body['id']}").get_json()
    assert (shown["credited_in"], shown["credited"]) == ("2026-04", {"amount": "500.00", "currency": "SEK"})

    actions = db.execute(select(AuditLog.action).where(AuditLog.action.like("billing.dispute%"))
                         .order_by(AuditLog.id)).scalars().all()
    assert actions == ["billing.dispute_raise", "billing.dispute_resolve", "billing.dispute_credit"]
    told = {n.user_id for n in db.execute(select(Notification)).scalars()}
    assert {people[k].id for k in ("provider_finance", "provider_coordinator", "buyer_finance")} <= told
    assert people["other_finance"].id not in told and people["provider_staff"].id not in told


def test_a_dispute_of_an_open_month_accepted_before_its_close_is_credited_in_that_close(
        db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    frozen_clock("2026-03-20T09:00:00+01:00")
    dispute = _raise(api, people["buyer_staff"], booking.ref).get_json()
    answer = api(people["provider_coordinator"]).post(f"{BASE}/{dispute['id']}/resolve",
                                                      json={"decision": "accepted", "credit": "4500"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    preview = api(people["city_finance"]).get("/api/v1/billing/periods/2026-03").get_json()
    assert preview["total"]["amount"] == "0.00"
    result, _files = close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    assert result.total_ore == 0 and result.line_count == 2
    close(engine, settings, "2026-04", datetime(2026, 5, 2, tzinfo=timezone.utc))
    assert db.execute(select(func.sum(ChargeLine.amount_ore)).where(ChargeLine.kind == "credit")).scalar_one() == -450_000


def test_a_credit_on_an_open_month_waits_while_an_earlier_month_is_closed(db, api, engine, settings, people, frozen_clock):
    booking = make_booking(db, make_programme(db), start=date(2026, 2, 1), end=date(2026, 4, 30))
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_finance"], booking.ref).get_json()  # March, not closed yet
    api(people["provider_finance"]).post(f"{BASE}/{dispute['id']}/resolve", json={"decision": "accepted", "credit": "1"})
    close(engine, settings, "2026-02", datetime(2026, 4, 3, 8, tzinfo=timezone.utc))  # February late: no credit of March in it
    assert db.execute(select(func.count()).select_from(ChargeLine).where(ChargeLine.kind == "credit")).scalar_one() == 0
    close(engine, settings, "2026-03", datetime(2026, 4, 3, 9, tzinfo=timezone.utc))
    db.rollback()  # a fresh snapshot
    assert db.execute(select(ChargeLine.period, ChargeLine.amount_ore).where(ChargeLine.kind == "credit")).all() == [
        ("2026-03", -100)]


@pytest.mark.parametrize(("credit", "code"), [
    ("4500.01", "credit_too_large"), ("-1", "negative_credit"), ("12.345", "bad_amount"), ("abc", "bad_amount"),
    ("1e3", "bad_amount"), ("NaN", "bad_amount"), ("99999999999999", "credit_too_large")])
def test_a_bad_credit_is_422_and_the_dispute_stays_open(db, api, engine, settings, people, frozen_clock, credit, code):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_finance"], booking.ref).get_json()
    response = api(people["provider_finance"]).post(f"{BASE}/{dispute['id']}/resolve",
                                                    json={"decision": "accepted", "credit": credit})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["kind"] == code if "kind" in problem else True
    assert [e["field"] for e in problem["errors"]] == ["credit"]
    db.expire_all()
    assert db.get(Dispute, dispute["id"]).status == "open"


def test_the_credit_is_capped_by_what_is_left_after_earlier_credits(db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    first = _raise(api, people["buyer_finance"], booking.ref).get_json()
    assert api(people["provider_finance"]).post(f"{BASE}/{first['id']}/resolve",
                                                json={"decision": "accepted", "credit": "4000,00"}).status_code == 200
    second = _raise(api, people["buyer_finance"], booking.ref, reason="Och resten.").get_json()
    too_much = api(people["provider_finance"]).post(f"{BASE}/{second['id']}/resolve",
                                                    json={"decision": "accepted", "credit": "500.01"})
    assert too_much.status_code == 422 and "500.00" in too_much.get_json()["detail"]
    assert api(people["provider_finance"]).post(f"{BASE}/{second['id']}/resolve",
                                                json={"decision": "accepted", "credit": "500.00"}).status_code == 200
    close(engine, settings, "2026-04", datetime(2026, 5, 2, tzinfo=timezone.utc))
    assert db.execute(select(ChargeLine.amount_ore, ChargeLine.rule).where(ChargeLine.kind == "credit")).all() == [
        (-450_000, f"credit of 2026-03: dispute #{first['id']}, #{second['id']} accepted, -4500.00")]


def test_raising_refuses_what_cannot_be_disputed_with_422_or_409(db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    hv_booking = make_booking(db, make_programme(db, organisation="HV"), buyer="ST", start=date(2026, 3, 1),
                              end=date(2026, 3, 31))
    frozen_clock("2026-04-03T09:00:00+02:00")
    buyer = people["buyer_finance"]
    cases = [
        ({"booking_ref": "B-2026-999999", "period": "2026-03"}, "booking_ref"),  # unknown
        ({"booking_ref": hv_booking.ref, "period": "2026-03"}, "booking_ref"),  # another organisation's
        ({"booking_ref": booking.ref, "period": "2026-02"}, "period"),  # no line that month
        ({"booking_ref": booking.ref, "period": "2026-05"}, "period"),  # not begun
        ({"booking_ref": booking.ref, "period": "2026-13"}, "period"),
        ({"booking_ref": booking.ref, "period": "mars"}, "period"),
    ]
    for fields, field in cases:
        response = api(buyer).post(BASE, json={**fields, "reason": "Fel"})
        assert response.status_code == 422, (fields, response.get_data(as_text=True))
        assert field in [e["field"] for e in response.get_json()["errors"]], fields
    for reason in ("", "   ", "x" * 2001):
        response = api(buyer).post(BASE, json={"booking_ref": booking.ref, "period": "2026-03", "reason": reason})
        assert response.status_code == 422, reason
    assert api(buyer).post(BASE, json={"booking_ref": booking.ref, "period": "2026-03"}).status_code == 422
    assert api(buyer).post(BASE, json={"booking_ref": booking.ref, "period": "2026-03", "reason": "a\x00b"}).status_code == 422
    assert db.execute(select(func.count()).select_from(Dispute)).scalar_one() == 0

    assert _raise(api, buyer, booking.ref).status_code == 201
    again = _raise(api, people["buyer_staff"], booking.ref)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    db.rollback()
    assert db.execute(select(func.count()).select_from(Dispute)).scalar_one() == 1


def test_resolving_twice_is_409_and_a_credit_with_a_rejection_is_422(db, api, people, frozen_clock):
    booking = march_to_april(db)
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_finance"], booking.ref).get_json()
    url = f"{BASE}/{dispute['id']}/resolve"
    provider = api(people["provider_coordinator"])
    rejected_with_credit = provider.post(url, json={"decision": "rejected", "credit": "10.00"})
    assert rejected_with_credit.status_code == 422
    assert provider.post(url, json={"decision": "maybe"}).status_code == 422
    assert provider.post(url, json={"decision": "rejected", "note": "Platsen användes."}).status_code == 200
    twice = api(people["provider_finance"]).post(url, json={"decision": "accepted", "credit": "10.00"})
    assert twice.status_code == 409 and twice.mimetype == "application/problem+json"
    shown = api(people["buyer_finance"]).get(f"{BASE}/{dispute['id']}").get_json()
    assert (shown["decision"], shown["credit"], shown["note"]) == ("rejected", None, "Platsen användes.")


def test_only_the_two_sides_and_city_finance_see_a_dispute_and_only_the_provider_answers(db, api, people, frozen_clock):
    booking = march_to_april(db)
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_coordinator"], booking.ref).get_json()
    url = f"{BASE}/{dispute['id']}"
    seen = {key: api(user).get(url).status_code for key, user in people.items()}
    assert seen == {"buyer_finance": 200, "buyer_staff": 200, "buyer_coordinator": 200, "provider_finance": 200,
                    "provider_coordinator": 200, "provider_staff": 404, "other_finance": 404,
                    "other_coordinator": 404, "city_finance": 200, "admin": 403}
    listed = {key: api(user).get(BASE).get_json().get("total") for key, user in people.items()}
    assert listed == {"buyer_finance": 1, "buyer_staff": 1, "buyer_coordinator": 1, "provider_finance": 1,
                      "provider_coordinator": 1, "provider_staff": 0, "other_finance": 0, "other_coordinator": 0,
                      "city_finance": 1, "admin": None}
    answers = {key: api(user).post(f"{url}/resolve", json={"decision": "rejected"}).status_code
               for key, user in people.items() if key not in ("provider_finance", "provider_coordinator")}
    assert answers == {"buyer_finance": 403, "buyer_staff": 403, "buyer_coordinator": 403, "provider_staff": 404,
                       "other_finance": 404, "other_coordinator": 404, "city_finance": 403, "admin": 403}
    # The provider's side cannot dispute its own sale; city finance and admin never dispute.
    assert _raise(api, people["provider_finance"], booking.ref).status_code == 403
    assert _raise(api, people["city_finance"], booking.ref).status_code == 403
    assert _raise(api, people["admin"], booking.ref).status_code == 403
    assert api(None).get(BASE).status_code == 401


def test_the_list_filters_by_status_and_month_and_pages(db, api, people, frozen_clock):
    frozen_clock("2026-04-03T09:00:00+02:00")
    bookings = [march_to_april(db) for _ in range(3)]
    ids = [_raise(api, people["buyer_finance"], b.ref, period=period).get_json()["id"]
           for b in bookings for period in ("2026-03", "2026-04")]
    api(people["provider_finance"]).post(f"{BASE}/{ids[0]}/resolve", json={"decision": "rejected"})
    caller = api(people["provider_finance"])
    assert caller.get(f"{BASE}?status=open").get_json()["total"] == 5
    assert [d["id"] for d in caller.get(f"{BASE}?status=resolved").get_json()["items"]] == [ids[0]]
    assert caller.get(f"{BASE}?period=2026-04").get_json()["total"] == 3
    page = caller.get(f"{BASE}?per_page=4&page=2").get_json()
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (6, 2, 4, 2)
    assert caller.get(f"{BASE}?status=closed").status_code == 422
    assert caller.get(f"{BASE}?period=2026-4").status_code == 422


def test_closing_a_month_with_open_disputes_lists_them_in_the_close_result(db, api, people, frozen_clock):
    booking = march_to_april(db)
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_finance"], booking.ref).get_json()
    closed = api(people["city_finance"]).post("/api/v1/billing/periods/2026-03/close")
    assert closed.status_code == 200, closed.get_data(as_text=True)
    assert closed.get_json()["open_disputes"] == [
        {"id": dispute["id"], "booking_ref": booking.ref, "buyer": "RK", "provider": "AMF"}]
    april = api(people["city_finance"]).post("/api/v1/billing/periods/2026-02/close")
    assert april.get_json()["open_disputes"] == []


def test_the_openapi_document_describes_every_dispute_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/billing/disputes"])
    assert "get" in paths["/api/v1/billing/disputes/{id}"] and "post" in paths["/api/v1/billing/disputes/{id}/resolve"]
    close = paths["/api/v1/billing/periods/{period}/close"]["post"]["responses"]["200"]["content"]["application/json"]
    schema = close["schema"]["$ref"].rsplit("/", 1)[1]
    assert "open_disputes" in document["components"]["schemas"][schema]["properties"]


def test_the_cli_close_lists_the_months_open_disputes(db, app, api, people, frozen_clock):
    from click.testing import CliRunner
    from flask.cli import ScriptInfo

    from marketplace.cli import main

    booking = march_to_april(db)
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_staff"], booking.ref).get_json()
    with app.app_context():
        result = CliRunner().invoke(main, ["billing", "close", "2026-03"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "Open disputes on 2026-03" in result.output
    assert f"#{dispute['id']} {booking.ref} RK -> AMF" in result.output
