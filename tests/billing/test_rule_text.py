"""A line's pricing rule reads in the reader's language: Swedish on the Swedish page and
English on the English page; never the stored English form on a Swedish screen. The XLSX keeps
the stored form, so a closed month's file is rebuilt byte for byte."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from billing.models import ChargeLine
from billing.rule_text import describe
from tests.billing._factories import make_booking, make_programme


@pytest.mark.parametrize(("stored", "swedish"), [
    ("month: 3800.00 × 25/30 days, rounded half up", "månad: 3800,00 kr × 25/30 dagar, avrundat till hela ören"),
    ("day: 250.00 × 3 days", "dag: 250,00 kr × 3 dagar"),
    ("placement: 1000.00 once, in the month of the start date 2026-03-05",
     "placering: 1000,00 kr en gång, i startdatumets månad (start 2026-03-05)"),
    ("correction of 2026-03: now 0.00 (not billable now (status cancelled)) − billed 4500.00",
     "rättelse av 2026-03: nu 0,00 kr (debiteras inte nu) − fakturerat 4500,00 kr"),
    ("correction of 2026-02: now 1500.00 (day: 250.00 × 6 days) − billed 1000.00",
     "rättelse av 2026-02: nu 1500,00 kr (dag: 250,00 kr × 6 dagar) − fakturerat 1000,00 kr"),
    ("something else", "something else"),
])
def test_each_stored_rule_reads_in_swedish(stored, swedish):
    assert describe(stored) == swedish


def test_the_month_page_shows_the_rule_in_the_readers_language_and_the_xlsx_as_stored(db, client, login, finance_user,
                                                                          frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    make_booking(db, make_programme(db, price_ore=380_000), start=date(2026, 3, 7), end=date(2026, 5, 31))
    login(finance_user)
    page = client.get("/fakturering/2026-03?kopare=RK&saljare=AMF").get_data(as_text=True)
    assert "månad: 3\xa0800,00\xa0kr × 25/31 dagar, avrundat till hela ören" in page
    assert "rounded half up" not in page and "month:" not in page
    assert "1 rad, totalt 3\xa0064,52\xa0kr" in page and "1 rader" not in page
    client.post("/sprak/en", data={"next": "/"})
    english = client.get("/fakturering/2026-03?kopare=RK&saljare=AMF").get_data(as_text=True)
    assert "month: SEK\xa03,800.00 × 25/31 days, rounded to whole öre" in english
    client.post("/sprak/sv", data={"next": "/"})

    closed = client.post("/fakturering/2026-03/stang", follow_redirects=True).get_data(as_text=True)
    stored_rule = db.execute(select(ChargeLine.rule).where(ChargeLine.period == "2026-03")).scalar_one()
    assert "2026-03 är stängd: 1 rad, totalt" in closed
    data = client.get("/fakturering/2026-03/filer/xlsx").data
    sheet = load_workbook(io.BytesIO(data))["Rader"]
    header = [cell.value for cell in sheet[1]]
    rules = [row[header.index("Regel")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # The file keeps the rule as stored at the close: closed months' files are rebuilt byte for byte.
    assert rules == [stored_rule] and rules != ["månad: 3800,00 kr × 25/31 dagar, avrundat till hela ören"]
