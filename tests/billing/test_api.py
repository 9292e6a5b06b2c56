import hashlib
from datetime import date

from sqlalchemy import select

from marketplace.audit.models import AuditLog
from tests.billing._factories import make_booking, make_programme

BASE = "/api/v1/billing/periods"


def _arrange(db):
    make_booking(db, make_programme(db), start=date(2026, 3, 17), end=date(2026, 5, 1))
    make_booking(db, make_programme(db, organisation="HV", price_ore=100_00, price_unit="day"), buyer="ST",
                 start=date(2026, 3, 30), end=date(2026, 4, 3))


def test_finance_previews_an_open_month_as_api_md_shapes_it(db, api, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    _arrange(db)
    response = api(finance_user).get(f"{BASE}/2026-03")
    assert response.status_code == 200
    body = response.get_json()
    assert body["period"] == "2026-03" and body["status"] == "open"
    assert body["lines"][0] == {
        "booking_ref": body["lines"][0]["booking_ref"], "buyer": "RK", "provider": "AMF",
        "programme_code": body["lines"][0]["programme_code"], "from_date": "2026-03-17", "to_date": "2026-03-31",
        "days": 15, "unit_price": {"amount": "4500.00", "currency": "SEK"}, "unit": "month",
        "amount": {"amount": "2177.42", "currency": "SEK"}, "correction_of": None,
    }
    assert body["totals"] == [
        {"buyer": "RK", "provider": "AMF", "amount": {"amount": "2177.42", "currency": "SEK"}},
        {"buyer": "ST", "provider": "HV", "amount": {"amount": "200.00", "currency": "SEK"}},
    ]
    assert body["total"] == {"amount": "2377.42", "currency": "SEK"}


def test_closing_returns_the_files_and_closing_again_answers_the_same(db, api, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    _arrange(db)
    caller = api(finance_user)
    first = caller.post(f"{BASE}/2026-03/close")
    assert first.status_code == 200, first.get_data(as_text=True)
    body = first.get_json()
    assert body["status"] == "closed" and [f["format"] for f in body["files"]] == ["csv", "xlsx", "sie"]
    frozen_clock("2026-04-02T12:00:00+02:00")
    again = caller.post(f"{BASE}/2026-03/close")
    assert again.status_code == 200 and again.get_json() == body
    for entry in body["files"]:
        download = caller.get(entry["url"])
        assert download.status_code == 200
        assert hashlib.sha256(download.data).hexdigest() == entry["sha256"] == download.headers["X-Content-SHA256"]
        assert caller.get(entry["url"]).data == download.data
    assert caller.get(f"{BASE}/2026-03").get_json()["status"] == "closed"
    actions = db.execute(select(AuditLog.action).where(AuditLog.action.like("billing.%"))).scalars().all()
    assert sorted(actions) == ["billing.close"] + ["billing.download"] * 6


def test_closing_a_month_that_has_not_ended_is_a_conflict(db, api, finance_user, frozen_clock):
    frozen_clock("2026-03-31T23:00:00+02:00")
    response = api(finance_user).post(f"{BASE}/2026-03/close")
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "not ended" in response.get_json()["detail"]


def test_a_bad_period_string_is_422_naming_the_field(api, finance_user):
    for bad in ("2026-13", "march", "2026-3"):
        response = api(finance_user).get(f"{BASE}/{bad}")
        assert response.status_code == 422
        assert any("period" in error["field"] for error in response.get_json()["errors"])
    assert api(finance_user).post(f"{BASE}/1999-01/close").status_code == 422
    assert api(finance_user).get(f"{BASE}/2026-03/files/pdf").status_code == 422


def test_files_of_an_open_month_are_a_conflict(api, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    assert api(finance_user).get(f"{BASE}/2026-03/files/csv").status_code == 409


def test_only_finance_may_close_and_only_finance_or_admin_may_read(api, staff_user, coordinator, admin_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    assert api(None).get(f"{BASE}/2026-03").status_code == 401
    for user in (staff_user, coordinator):
        assert api(user).get(f"{BASE}/2026-03").status_code == 403
        assert api(user).post(f"{BASE}/2026-03/close").status_code == 403
    assert api(admin_user).get(f"{BASE}/2026-03").status_code == 200
    assert api(admin_user).post(f"{BASE}/2026-03/close").status_code == 403


def test_the_billing_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/api/v1/billing/periods/{period}", "/api/v1/billing/periods/{period}/close",
            "/api/v1/billing/periods/{period}/files/{fmt}"} <= set(paths)


def test_no_participant_data_reaches_finance(db, api, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 3, 31), participant_name="Zlatan Hemligsson")
    caller = api(finance_user)
    assert "Hemligsson" not in caller.get(f"{BASE}/2026-03").get_data(as_text=True)
    body = caller.post(f"{BASE}/2026-03/close").get_json()
    for entry in body["files"]:
        assert b"Hemligsson" not in caller.get(entry["url"]).data
