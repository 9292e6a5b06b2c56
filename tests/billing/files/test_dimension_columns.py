"""The writers with the accounting dimensions (layout 2) and without them (layout 1), read back
by the readers finance uses: the csv module in Excel's dialect, openpyxl, and the SIE 4 reader."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from billing.files.csv_excel import COLUMNS, DIMENSION_COLUMNS, write_csv
from billing.files.sie4 import write_sie4
from billing.files.xlsx import DIMENSION_HEADERS, LINE_HEADERS, write_xlsx
from billing.lines import pair_totals
from tests.billing.files._lines import HEADER, line, sample
from tests.billing.files.sie_reader import read_sie

CODES = {"CAFE-1": "5730"}


def _csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), dialect="excel", delimiter=";"))


def test_the_csv_gains_five_trailing_columns_and_keeps_the_others_in_order():
    lines = sample()
    rows = _csv_rows(write_csv(HEADER, lines, activity_codes=CODES))
    assert rows[0] == list(COLUMNS) + ["buyer_account", "provider_account", "buyer_responsibility",
                                       "provider_responsibility", "activity_code"]
    without = _csv_rows(write_csv(HEADER, lines))
    assert without[0] == list(COLUMNS)
    for with_dims, plain, source in zip(rows[1:], without[1:], lines):
        assert with_dims[:len(COLUMNS)] == plain  # the existing columns are untouched
        assert with_dims[len(COLUMNS):] == [source.buyer_cost_account, source.provider_revenue_account,
                                            source.buyer_cost_centre, source.provider_cost_centre, "5730"]


def test_a_programme_the_close_found_no_code_for_gets_an_empty_cell():
    rows = _csv_rows(write_csv(HEADER, [line()], activity_codes={}))
    assert rows[1][-1] == "" and len(rows[1]) == len(COLUMNS) + len(DIMENSION_COLUMNS)


def test_dimension_cells_are_formula_safe_text():
    # Codes are validated digits; should one ever start like a formula, the cell is still text.
    odd = line()._replace(buyer_cost_centre="=1+2", provider_cost_centre="+3100")
    rows = _csv_rows(write_csv(HEADER, [odd], activity_codes={"CAFE-1": "-5700"}))
    assert rows[1][-5:] == ["7691", "3691", "'=1+2", "'+3100", "'-5700"]
    book = load_workbook(io.BytesIO(write_xlsx(HEADER, [odd], pair_totals([odd]), activity_codes={"CAFE-1": "-5700"})))
    cells = [cell for cell in next(book["Rader"].iter_rows(min_row=2, max_row=2))][-5:]
    assert [c.value for c in cells] == ["7691", "3691", "=1+2", "+3100", "-5700"]
    assert all(c.data_type == "s" for c in cells)  # strings, never formulas


def test_the_xlsx_gains_the_same_columns_under_swedish_titles():
    lines = sample()
    book = load_workbook(io.BytesIO(write_xlsx(HEADER, lines, pair_totals(lines), activity_codes=CODES)))
    rows = list(book["Rader"].iter_rows(values_only=True))
    assert rows[0] == LINE_HEADERS + DIMENSION_HEADERS
    assert DIMENSION_HEADERS == ("Konto köpare", "Konto säljare", "Ansvar köpare", "Ansvar säljare", "Verksamhetskod")
    for row, source in zip(rows[1:], lines):
        assert row[:len(LINE_HEADERS)][:3] == (source.period, source.buyer_code, source.buyer_name)
        assert row[len(LINE_HEADERS):] == (source.buyer_cost_account, source.provider_revenue_account,
                                           source.buyer_cost_centre, source.provider_cost_centre, "5730")
    plain = load_workbook(io.BytesIO(write_xlsx(HEADER, lines, pair_totals(lines))))
    assert next(plain["Rader"].iter_rows(values_only=True)) == LINE_HEADERS


def test_the_sie_declares_dimension_20_and_puts_the_activity_on_every_trans():
    lines = sample()
    data = write_sie4(HEADER, lines, activity_codes=CODES)
    sie = read_sie(data)  # balances, every object used is declared
    assert sie.dimensions == {"1": "Kostnadsställe", "20": "Verksamhet"}
    assert sie.objects[("20", "5730")] == "Verksamhet 5730"
    transactions = [t for v in sie.vouchers for t in v.transactions]
    assert transactions and all(("20", "5730") in t.objects and t.objects[0][0] == "1" for t in transactions)
    records = [raw.split(" ")[0] for raw in data.decode("cp437").split("\r\n") if raw]
    assert max(i for i, r in enumerate(records) if r == "#DIM") < min(i for i, r in enumerate(records) if r == "#OBJEKT")
    assert max(i for i, r in enumerate(records) if r == "#OBJEKT") < min(i for i, r in enumerate(records) if r == "#VER")


def test_the_sie_without_an_activity_code_keeps_only_the_cost_centre_and_layout_1_has_no_dimension_20():
    sie = read_sie(write_sie4(HEADER, sample(), activity_codes={}))
    assert "20" in sie.dimensions and not [key for key in sie.objects if key[0] == "20"]
    assert all(len(t.objects) == 1 for v in sie.vouchers for t in v.transactions)
    plain = write_sie4(HEADER, sample())
    assert b"#DIM 20" not in plain and read_sie(plain).dimensions == {"1": "Kostnadsställe"}
