"""XLSX for finance: a sheet of lines and a summary sheet of buyer–provider totals.

Numbers are numbers with SEK formatting, dates are dates, the header row is frozen and bold.
Written with XlsxWriter in constant_memory mode: each sheet streams row by row to its own
temp file, so memory does not grow with the month (openpyxl's write-only mode did the same
at a fifth of the speed). Byte-identical every time: XlsxWriter gives every zip entry one
fixed date, and the document properties carry the month's close time, never "now".
Text goes in with write_string, so a name starting with "=" stays text, never a formula
(XLSX's side of marketplace.kernel.spreadsheet's rule: a string cell is never evaluated).
Excel holds at most 1 048 576 rows a sheet, so a larger month keeps every total in the
summary and caps the detail sheet, saying so. A month closed with the accounting dimensions
(`activity_codes` given) has five more columns after "Regel", the CSV's DIMENSION_COLUMNS under
Swedish titles; one closed before them is written exactly as it always was. Pure: lines in, bytes out.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable, Mapping
from datetime import timezone
from typing import BinaryIO

import xlsxwriter

from billing import money
from billing.files import FileHeader
from billing.files.csv_excel import dimension_values
from billing.lines import Line, PairTotal

EXCEL_MAX_ROWS = 1_048_576
DETAIL_CAP = EXCEL_MAX_ROWS - 1  # one header row
SEK_FORMAT = '#,##0.00 "kr";-#,##0.00 "kr"'
DATE_FORMAT = "yyyy-mm-dd"
LINE_HEADERS = ("Period", "Köpare", "Köpare namn", "Kostnadsställe köpare", "Kostnadskonto köpare",
                "Säljare", "Säljare namn", "Kostnadsställe säljare", "Intäktskonto säljare",
                "Bokning", "Insats", "Insatsnamn", "Från", "Till", "Dagar", "Pris", "Enhet", "Belopp",
                "Rättelse av", "Regel")
# csv_excel.DIMENSION_COLUMNS, in the same order.
DIMENSION_HEADERS = ("Konto köpare", "Konto säljare", "Ansvar köpare", "Ansvar säljare", "Verksamhetskod")
SUMMARY_HEADERS = ("Köpare", "Köpare namn", "Säljare", "Säljare namn", "Rader", "Belopp")


def _header_row(sheet, titles, bold) -> None:
    for col, title in enumerate(titles):
        sheet.write_string(0, col, title, bold)
    sheet.freeze_panes(1, 0)


def _detail(book, lines: Iterable[Line], detail_cap: int,
            activity_codes: Mapping[str, str] | None = None) -> tuple[int, bool]:
    """Stream the lines into the sheet "Rader"; returns (rows written, whether the cap cut it)."""
    sheet = book.add_worksheet("Rader")
    headers = LINE_HEADERS if activity_codes is None else LINE_HEADERS + DIMENSION_HEADERS
    _header_row(sheet, headers, book.add_format({"bold": True}))
    sek, day = book.add_format({"num_format": SEK_FORMAT}), book.add_format({"num_format": DATE_FORMAT})
    row = 0
    for line in lines:
        if row >= detail_cap:
            return row, True
        row += 1
        for col, value in enumerate((line.period, line.buyer_code, line.buyer_name, line.buyer_cost_centre,
                                     line.buyer_cost_account, line.provider_code, line.provider_name,
                                     line.provider_cost_centre, line.provider_revenue_account, line.booking_ref,
                                     line.programme_code, line.programme_name)):
            sheet.write_string(row, col, value)
        sheet.write_datetime(row, 12, line.from_date, day)
        sheet.write_datetime(row, 13, line.to_date, day)
        sheet.write_number(row, 14, line.days)
        sheet.write_number(row, 15, money.ore_to_float(line.unit_price_ore), sek)
        sheet.write_string(row, 16, line.unit)
        sheet.write_number(row, 17, money.ore_to_float(line.amount_ore), sek)
        if line.corrects_period:
            sheet.write_string(row, 18, line.corrects_period)
        # The stored rule as it was written at the close: a closed month's files are rebuilt byte
        # for byte from its lines, so this column's text may never change with the service.
        sheet.write_string(row, 19, line.rule)
        if activity_codes is not None:
            for col, value in enumerate(dimension_values(line, activity_codes), start=len(LINE_HEADERS)):
                if value:
                    sheet.write_string(row, col, value)
    return row, False


def _summary(book, totals: list[PairTotal], note: str | None) -> None:
    sheet = book.add_worksheet("Summering")
    bold = book.add_format({"bold": True})
    _header_row(sheet, SUMMARY_HEADERS, bold)
    sek, bold_sek = book.add_format({"num_format": SEK_FORMAT}), book.add_format({"num_format": SEK_FORMAT, "bold": True})
    grand = count = 0
    row = 0
    for total in totals:
        row += 1
        for col, value in enumerate((total.buyer_code, total.buyer_name, total.provider_code, total.provider_name)):
            sheet.write_string(row, col, value)
        sheet.write_number(row, 4, total.line_count)
        sheet.write_number(row, 5, money.ore_to_float(total.amount_ore), sek)
        grand += total.amount_ore
        count += total.line_count
    row += 1
    sheet.write_string(row, 0, "Totalt", bold)
    sheet.write_number(row, 4, count)
    sheet.write_number(row, 5, money.ore_to_float(grand), bold_sek)
    if note:
        sheet.write_string(row + 2, 0, note.format(count=count))


def write_xlsx_to(out: BinaryIO, header: FileHeader, lines: Iterable[Line], totals: list[PairTotal], *,
                  detail_cap: int = DETAIL_CAP, activity_codes: Mapping[str, str] | None = None) -> None:
    """Write the workbook into `out` (seekable); `lines` in file order, `totals` by pair."""
    closed_at = header.closed_at
    if closed_at.tzinfo is not None:
        closed_at = closed_at.astimezone(timezone.utc)
    # A directory of our own for the sheets' temp files: removed even if reading the lines fails.
    with tempfile.TemporaryDirectory(prefix="insatstorget-xlsx-") as scratch:
        book = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": scratch})
        book.use_zip64()  # the detail sheet of a million lines is near a gigabyte before compression
        book.set_properties({"title": f"Internfakturering {header.period}", "author": "Insatstorget",
                             "created": closed_at.replace(tzinfo=None, microsecond=0)})
        try:
            written, truncated = _detail(book, lines, detail_cap, activity_codes)
        except BaseException:
            _close_scratch_files(book)
            raise
        note = (f"Bladet Rader visar de första {written} av {{count}} raderna (Excels gräns). "
                "Alla rader finns i CSV- och SIE-filen.") if truncated else None
        _summary(book, totals, note)
        book.close()


def _close_scratch_files(book: xlsxwriter.Workbook) -> None:
    """A workbook given up halfway still holds its sheets' row files open (constant_memory);
    close them so nothing is left open once the scratch directory is gone."""
    for sheet in book.worksheets():
        handle = getattr(sheet, "row_data_fh", None)
        if handle is not None and not handle.closed:
            handle.close()


def write_xlsx(header: FileHeader, lines: list[Line], totals: list[PairTotal], *, detail_cap: int = DETAIL_CAP,
               activity_codes: Mapping[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    write_xlsx_to(out, header, lines, totals, detail_cap=detail_cap, activity_codes=activity_codes)
    return out.getvalue()
