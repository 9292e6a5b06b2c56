import io
import tempfile
import time
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from billing.files import xlsx
from billing.files.xlsx import write_xlsx
from billing.lines import pair_totals
from tests.billing.files._lines import HEADER, line, sample


def _book(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_openpyxl_reads_lines_and_summary_with_numbers_as_numbers_in_sek():
    lines = sample()
    book = _book(write_xlsx(HEADER, lines, pair_totals(lines)))
    assert book.sheetnames == ["Rader", "Summering"]
    detail, summary = book["Rader"], book["Summering"]
    assert detail.freeze_panes == "A2" and summary.freeze_panes == "A2"
    header = [cell.value for cell in detail[1]]
    amount_col = header.index("Belopp") + 1
    amounts = [detail.cell(row=r, column=amount_col) for r in range(2, len(lines) + 2)]
    assert all(isinstance(cell.value, (int, float)) for cell in amounts)
    assert all('"kr"' in cell.number_format for cell in amounts)
    assert round(sum(Decimal(str(cell.value)) for cell in amounts) * 100) == sum(l.amount_ore for l in lines)
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    grand = rows[-1]
    assert grand[0] == "Totalt" and round(Decimal(str(grand[5])) * 100) == sum(l.amount_ore for l in lines)
    assert [r[:3:2] for r in rows[:-1]] == [(t.buyer_code, t.provider_code) for t in pair_totals(lines)]
    assert book.properties.created.isoformat().startswith("2026-04-05T04:00")


def test_the_workbook_is_byte_identical_whenever_it_is_made(monkeypatch):
    lines = sample()
    first = write_xlsx(HEADER, lines, pair_totals(lines))
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    assert write_xlsx(HEADER, lines, pair_totals(lines)) == first


def test_a_month_beyond_excels_row_limit_keeps_every_total_and_caps_the_detail(monkeypatch):
    lines = sample()
    book = _book(write_xlsx(HEADER, lines, pair_totals(lines), detail_cap=2))
    assert book["Rader"].max_row == 3  # header + 2
    notes = [row[0] for row in book["Summering"].iter_rows(values_only=True) if row and isinstance(row[0], str)]
    assert any("de första 2 av 5 raderna" in note for note in notes)
    assert xlsx.DETAIL_CAP + 1 == 1_048_576


def test_dates_are_dates_the_header_is_bold_and_text_that_looks_like_a_formula_stays_text():
    lines = [line(programme_name="=HYPERLINK(\"http://x\";\"klicka\")", ref="B-2026-000009")]
    book = _book(write_xlsx(HEADER, lines, pair_totals(lines)))
    detail = book["Rader"]
    header = [cell.value for cell in detail[1]]
    assert all(cell.font.bold for cell in detail[1])
    start = detail.cell(row=2, column=header.index("Från") + 1)
    assert start.is_date and start.value.date() == date(2026, 3, 1) and start.number_format == xlsx.DATE_FORMAT
    name = detail.cell(row=2, column=header.index("Insatsnamn") + 1)
    assert name.data_type == "s" and name.value == lines[0].programme_name


def test_a_failure_while_reading_the_lines_leaves_no_temp_files(monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    def lines_then_failure():
        yield from sample()
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_xlsx(HEADER, lines_then_failure(), [])
    assert list(tmp_path.iterdir()) == []
