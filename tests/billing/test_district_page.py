"""District finance's start: the open month's preview of its own statement and its last closed
months with their files, on the start page and on /fakturering/var-ekonomi."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from tests.billing._factories import make_booking, make_programme
from tests.factories import enrol_totp, make_user


@pytest.fixture
def district_finance(db):
    return enrol_totp(db, make_user(db, organisation="RK", roles=["district_finance"], email="ekonom.rk@test.se"))


def _arrange(db):
    bought = make_booking(db, make_programme(db), start=date(2026, 3, 17), end=date(2026, 5, 1))
    sold = make_booking(db, make_programme(db, organisation="RK", price_ore=100_00, price_unit="day"), buyer="ST",
                        start=date(2026, 3, 30), end=date(2026, 4, 3))
    others = make_booking(db, make_programme(db, organisation="HV", price_ore=777_00, price_unit="placement"), buyer="ST",
                          start=date(2026, 3, 2), end=date(2026, 3, 9))
    return bought, sold, others


def _text(html: str) -> str:
    return html.replace("\u00a0", " ")


def test_start_page_previews_the_open_months_and_lists_closed_ones(db, client, login, district_finance, frozen_clock,
                                                                     close):
    frozen_clock("2026-04-02T09:00:00+02:00")
    _arrange(db)
    browser = login(district_finance)
    html = _text(browser.get("/").get_data(as_text=True))
    assert "Öppna månader (förhandsvisning)" in html
    # March, open: bought 2 177,42 from AMF, sold 200,00 to ST, net −1 977,42
    assert "2026-03" in html and "köpt 2 177,42 kr, sålt 200,00 kr, netto" in html
    assert "777" not in html  # HV's sale to ST is none of RK's business
    assert "Ingen månad är stängd än." in html
    assert "/fakturering/var-ekonomi" in html  # the menu and the panels lead to the district page
    assert 'href="/fakturering"' not in html  # the city's billing is not in its menu

    close("2026-03", datetime(2026, 4, 2, 7, 0, tzinfo=timezone.utc))
    html = _text(browser.get("/").get_data(as_text=True))
    assert "Senast stängda månader" in html
    assert 'href="/fakturering/2026-03/sammanstallning/RK"' in html


def test_district_page_lists_open_months_and_closed_months_with_their_files(db, client, login, district_finance,
                                                                           frozen_clock, close):
    frozen_clock("2026-04-02T09:00:00+02:00")
    bought, _sold, _others = _arrange(db)
    close("2026-03", datetime(2026, 4, 2, 7, 0, tzinfo=timezone.utc))
    browser = login(district_finance)
    page = browser.get("/fakturering/var-ekonomi")
    assert page.status_code == 200
    html = _text(page.get_data(as_text=True))
    assert "2026-04" in html and "2026-03" in html
    assert 'href="/fakturering/2026-03/sammanstallning/RK/csv"' in html
    assert 'href="/fakturering/2026-04/sammanstallning/RK/csv"' not in html  # files only for closed months
    csv = browser.get("/fakturering/2026-03/sammanstallning/RK/csv")
    assert csv.status_code == 200 and bought.ref in csv.data.decode("utf-8-sig")


def test_district_page_is_district_finances_only(db, client, login, staff_user, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    assert login(staff_user).get("/fakturering/var-ekonomi").status_code == 403
    assert login(finance_user).get("/fakturering/var-ekonomi").status_code == 403
