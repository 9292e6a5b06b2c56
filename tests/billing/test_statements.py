"""District finance: the role, its second factor, and an organisation's statement per month
(API JSON, CSV, XLSX, page) — its own organisation only, city finance every one."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from marketplace.auth.models import User
from marketplace.cli import main
from tests.billing._factories import make_booking, make_programme
from tests.factories import DEFAULT_PASSWORD, enrol_totp, make_user

BASE = "/api/v1/billing/periods"


@pytest.fixture
def district_finance(db):
    return enrol_totp(db, make_user(db, organisation="RK", roles=["district_finance"], email="ekonom.rk@test.se"))


def _arrange(db):
    """RK buys from AMF (4 500 kr a month, 17–31 March) and sells to ST (100 kr a day, 30–31 March);
    HV sells to ST, which is none of RK's business."""
    bought = make_booking(db, make_programme(db, name="=HYPERLINK(\"http://x\")"), start=date(2026, 3, 17),
                          end=date(2026, 5, 1))
    sold = make_booking(db, make_programme(db, organisation="RK", price_ore=100_00, price_unit="day"), buyer="ST",
                        start=date(2026, 3, 30), end=date(2026, 4, 3))
    other = make_booking(db, make_programme(db, organisation="HV", price_ore=100_00, price_unit="day"), buyer="ST",
                         start=date(2026, 3, 1), end=date(2026, 3, 3))
    return bought, sold, other


def test_district_finance_sees_its_own_purchases_and_sales_of_an_open_month(db, api, district_finance, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    bought, sold, _other = _arrange(db)
    response = api(district_finance).get(f"{BASE}/2026-03/statements/RK")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["period"], body["organisation_code"], body["status"]) == ("2026-03", "RK", "open")
    assert [line["booking_ref"] for line in body["purchases"]["lines"]] == [bought.ref]
    assert [line["booking_ref"] for line in body["sales"]["lines"]] == [sold.ref]
    assert body["purchases"]["total"] == {"amount": "2177.42", "currency": "SEK"}
    assert body["sales"]["total"] == {"amount": "200.00", "currency": "SEK"}
    assert body["net"] == {"amount": "-1977.42", "currency": "SEK"}
    assert "Hemlig" not in response.get_data(as_text=True)


def test_another_organisations_statement_is_404_for_district_finance_and_open_to_city_finance(
        db, api, district_finance, finance_user, staff_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    _arrange(db)
    assert api(district_finance).get(f"{BASE}/2026-03/statements/HV").status_code == 404
    assert api(district_finance).get(f"{BASE}/2026-03/statements/HV?format=csv").status_code == 404
    assert api(district_finance).get(f"{BASE}/2026-03/statements/ZZ").status_code == 404
    assert api(district_finance).get(f"{BASE}/2026-03").status_code == 403  # the whole month is city finance's
    assert api(staff_user).get(f"{BASE}/2026-03/statements/RK").status_code == 403
    city = api(finance_user).get(f"{BASE}/2026-03/statements/HV").get_json()
    assert city["sales"]["total"]["amount"] == "300.00" and city["purchases"]["lines"] == []
    assert api(district_finance).get(f"{BASE}/2026-13/statements/RK").status_code == 422
    assert api(district_finance).get(f"{BASE}/2026-03/statements/RK?format=pdf").status_code == 422


def test_a_closed_months_statement_is_its_stored_lines_and_adds_up_to_the_month(db, api, district_finance, finance_user,
                                                                               frozen_clock, close):
    from datetime import datetime, timezone

    frozen_clock("2026-04-02T09:00:00+02:00")
    _arrange(db)
    preview = api(district_finance).get(f"{BASE}/2026-03/statements/RK").get_json()
    close("2026-03", datetime(2026, 4, 2, 7, 0, tzinfo=timezone.utc))
    closed = api(district_finance).get(f"{BASE}/2026-03/statements/RK").get_json()
    assert closed["status"] == "closed"
    assert {k: v for k, v in closed.items() if k != "status"} == {k: v for k, v in preview.items() if k != "status"}
    month = api(finance_user).get(f"{BASE}/2026-03").get_json()
    buyers = {line["buyer"] for line in month["lines"]}
    purchases = sum(int(api(finance_user).get(f"{BASE}/2026-03/statements/{code}").get_json()["purchases"]["total"]["amount"]
                        .replace(".", "")) for code in buyers)
    assert purchases == int(month["total"]["amount"].replace(".", ""))


def test_statement_files_are_the_month_files_dialect_with_formula_safe_cells(db, api, district_finance, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    bought, sold, other = _arrange(db)
    response = api(district_finance).get(f"{BASE}/2026-03/statements/RK?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "insatstorget-2026-03-RK.csv" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8-sig")
    rows = [row.split(";") for row in text.strip().split("\r\n")]
    assert rows[0][:3] == ["period", "buyer_code", "buyer_name"]
    assert [row[5] for row in rows[1:]] == [bought.ref, sold.ref]
    assert [row[13] for row in rows[1:]] == ["2177,42", "200,00"]
    assert other.ref not in text
    assert '\'=HYPERLINK' in text  # the programme's name is text, never a formula
    xlsx = api(district_finance).get(f"{BASE}/2026-03/statements/RK?format=xlsx")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    sheet = book.worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[9] for row in values] == [bought.ref, sold.ref]
    names = [row[11] for row in values]
    assert names[0].startswith("=HYPERLINK") and sheet.cell(row=2, column=12).data_type == "s"
    book.close()


def test_statement_page_shows_both_halves_and_hides_others(db, client, login, district_finance, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    bought, sold, other = _arrange(db)
    browser = login(district_finance)
    page = browser.get("/fakturering/2026-03/sammanstallning/RK")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Köpt av andra" in html and "Sålt till andra" in html
    assert bought.ref in html and sold.ref in html and other.ref not in html
    assert "2\u00a0177,42" in html or "2 177,42" in html
    assert "Hemlig" not in html
    assert "/fakturering/bokning/" not in html  # the booking's billing page is city finance's
    assert browser.get("/fakturering/2026-03/sammanstallning/HV").status_code == 404
    assert browser.get("/fakturering/2026-03/sammanstallning/HV/csv").status_code == 404
    download = browser.get("/fakturering/2026-03/sammanstallning/RK/xlsx")
    assert download.status_code == 200 and download.data[:2] == b"PK"
    assert browser.get("/fakturering/2026-03").status_code == 403


def test_district_finance_owes_the_second_factor(db, client):
    from marketplace.auth import policy

    assert policy.needs_second_factor(frozenset({"district_finance"}))
    user = make_user(db, organisation="RK", roles=["district_finance"], email="ny.ekonom@test.se")
    response = client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    gated = client.get("/fakturering/2026-03/sammanstallning/RK")
    assert gated.status_code == 302 and "/konto/tvafaktor" in gated.headers["Location"]


def test_cli_creates_a_district_finance_user(app, db):
    result = app.test_cli_runner().invoke(main, ["users", "create", "--email", "ekonom@rk.test", "--password",
                                                 "ett-bra-losenord", "--name", "Ekonom", "--organisation", "RK",
                                                 "--role", "district_finance"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert db.execute(select(User.roles).where(User.email == "ekonom@rk.test")).scalar_one() == "district_finance"
