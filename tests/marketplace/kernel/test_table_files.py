"""Property test of the coordinators' file writers: any text is a text cell (an apostrophe in
front of a formula start in CSV, a string cell in XLSX), dates stay dates, numbers numbers."""

from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from marketplace.kernel.spreadsheet import starts_formula, xlsx_text
from marketplace.kernel.table_files import write_csv, write_xlsx

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40) | st.sampled_from(
    ['=HYPERLINK("http://x";"y")', "+1", "-2+3", "@SUM(1)", "\tTab", "\rCR", " =1", "；", "＝1+1"])
HEADER = ["Namn", "Datum", "Dagar"]


@settings(max_examples=60, deadline=None)
@given(name=TEXT)
def test_any_text_is_text_in_the_csv(name):
    data = write_csv(HEADER, [[name, date(2027, 1, 18), 3]])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline=""), delimiter=";"))
    cell, day, days = rows[1]
    assert not starts_formula(cell)
    assert cell == ("'" + name if starts_formula(name) else name)
    assert (day, days) == ("2027-01-18", "3")


@settings(max_examples=30, deadline=None)
@given(name=TEXT)
def test_any_text_is_a_string_cell_in_the_xlsx(name):
    sheet = load_workbook(io.BytesIO(write_xlsx(HEADER, [[name, date(2027, 1, 18), 3]], title="T", heading="H"))).active
    cell, day, days = sheet[3]
    assert cell.data_type in ("s", "inlineStr")  # text, never a formula ("f")
    assert (cell.value or "") == xlsx_text(name).replace("\r\n", "\n").replace("\r", "\n")  # XML's line ends
    assert day.is_date and day.value.date() == date(2027, 1, 18)
    assert days.data_type == "n" and days.value == 3
