"""The forecast: committed cost and revenue per month by the close's rules, requested ones apart;
a month closed without changes equals the forecast."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.billing._factories import make_booking, make_programme
from tests.factories import enrol_totp, make_user

URL = "/api/v1/billing/forecast"


@pytest.fixture
def district_finance(db):
    return enrol_totp(db, make_user(db, organisation="RK", roles=["district_finance"], email="ekonom.rk@test.se"))


def _arrange(db):
    """RK buys from AMF (month, day and placement prices, one requested, one cancelled) and sells to ST."""
    monthly = make_programme(db)  # 4 500 kr a month
    daily = make_programme(db, organisation="HV", price_ore=250_50, price_unit="day")
    once = make_programme(db, organisation="SO", price_ore=9_999_99, price_unit="placement")
    ours = make_programme(db, organisation="RK", price_ore=3_333_33, price_unit="month")
    make_booking(db, monthly, start=date(2026, 3, 17), end=date(2026, 6, 10))
    make_booking(db, daily, status="active", start=date(2026, 2, 20), end=date(2026, 3, 5))
    make_booking(db, once, start=date(2026, 4, 30), end=date(2026, 7, 1))
    make_booking(db, monthly, status="requested", start=date(2026, 3, 1), end=date(2026, 4, 30))
    make_booking(db, monthly, status="cancelled", start=date(2026, 3, 1), end=date(2026, 4, 30))
    make_booking(db, ours, buyer="ST", start=date(2026, 3, 10), end=date(2026, 5, 20))
    make_booking(db, make_programme(db, organisation="HV"), buyer="ST", start=date(2026, 3, 1), end=date(2026, 3, 31))


def _ore(money: dict) -> int:
    return int(money["amount"].replace(".", ""))


def test_forecast_prices_each_month_by_the_close_rules(db, api, district_finance, frozen_clock):
    frozen_clock("2026-03-15T09:00:00+01:00")
    _arrange(db)
    response = api(district_finance).get(f"{URL}?months=4")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["organisation_code"] == "RK"
    months = {m["period"]: m for m in body["months"]}
    assert list(months) == ["2026-03", "2026-04", "2026-05", "2026-06"]
    march = months["2026-03"]
    # 4500 × 15/31 = 2177.419… → 2177.42; 250.50 × 5 days = 1252.50
    assert _ore(march["cost"]["committed"]) == 217742 + 125250
    assert march["cost"]["requested"] == {"amount": "4500.00", "currency": "SEK"}
    # 333 333 öre × 22/31 = 236 558.9… → 2365.59
    assert march["revenue"] == {"committed": {"amount": "2365.59", "currency": "SEK"},
                                "requested": {"amount": "0.00", "currency": "SEK"}}
    assert _ore(months["2026-04"]["cost"]["committed"]) == 450000 + 999999  # the placement in its start month
    assert _ore(months["2026-06"]["cost"]["committed"]) == 150000  # 4500 × 10/30
    assert months["2026-06"]["revenue"]["committed"]["amount"] == "0.00"


def test_a_month_closed_without_changes_equals_its_forecast(db, api, district_finance, finance_user, frozen_clock, close):
    frozen_clock("2026-03-15T09:00:00+01:00")
    _arrange(db)
    figures = {code: api(finance_user).get(f"{URL}?organisation={code}&from=2026-03&months=1").get_json()["months"][0]
               for code in ("RK", "AMF", "HV", "SO", "ST")}
    frozen_clock("2026-04-02T09:00:00+02:00")
    close("2026-03", datetime(2026, 4, 2, 7, 0, tzinfo=timezone.utc))
    month_total = _ore(api(finance_user).get("/api/v1/billing/periods/2026-03").get_json()["total"])
    for code, forecast in figures.items():
        statement = api(finance_user).get(f"/api/v1/billing/periods/2026-03/statements/{code}").get_json()
        assert statement["status"] == "closed"
        assert _ore(forecast["cost"]["committed"]) == _ore(statement["purchases"]["total"]), code
        assert _ore(forecast["revenue"]["committed"]) == _ore(statement["sales"]["total"]), code
    assert sum(_ore(f["cost"]["committed"]) for f in figures.values()) == month_total
    assert sum(_ore(f["revenue"]["committed"]) for f in figures.values()) == month_total


def test_forecast_is_ones_own_unless_city_finance(db, api, district_finance, finance_user, staff_user, coordinator,
                                                  frozen_clock):
    frozen_clock("2026-03-15T09:00:00+01:00")
    assert api(district_finance).get(f"{URL}?organisation=AMF").status_code == 404
    assert api(district_finance).get(f"{URL}?organisation=ZZ").status_code == 404
    assert api(coordinator).get(URL).get_json()["organisation_code"] == "AMF"
    assert api(coordinator).get(f"{URL}?organisation=RK").status_code == 404
    assert api(staff_user).get(URL).status_code == 403
    assert api(finance_user).get(f"{URL}?organisation=RK").get_json()["organisation_code"] == "RK"
    assert api(district_finance).get(f"{URL}?months=25").status_code == 422
    assert api(district_finance).get(f"{URL}?from=2026-13").status_code == 422
    assert len(api(district_finance).get(URL).get_json()["months"]) == 12


def test_forecast_page_has_a_chart_and_the_figures(db, client, login, district_finance, frozen_clock):
    frozen_clock("2026-03-15T09:00:00+01:00")
    _arrange(db)
    browser = login(district_finance)
    page = browser.get("/fakturering/prognos?months=4")
    assert page.status_code == 200
    html = page.get_data(as_text=True).replace("\u00a0", " ")
    assert "<svg" in html and "2026-06" in html
    assert "3 429,92 kr" in html  # March's committed cost: 2 177,42 + 1 252,50
    assert 'href="/fakturering/prognos"' in html  # in the menu
    assert browser.get("/fakturering/prognos?organisation=AMF").status_code == 404
    assert browser.get("/fakturering/prognos?months=99").status_code == 404
