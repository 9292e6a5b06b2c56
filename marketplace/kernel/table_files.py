"""Tables as files for Excel: CSV (UTF-8 with BOM, ';', CRLF: the Excel dialect of the other
CSV files) and XLSX, for the coordinators' placement and attendance files. Pure writers: a
header and rows in, bytes out.

A row holds text (str), dates (date) and whole numbers (int); None is an empty cell. In CSV
every text goes through kernel.spreadsheet.text_cell, so a name typed as "=HYPERLINK(…)"
stays text; dates are written YYYY-MM-DD. In XLSX text cells are typed as strings (never a
formula) and dates are date cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from openpyxl import Workbook

from marketplace.kernel.spreadsheet import as_string_cells, text_cell, xlsx_text

Row = Sequence[str | date | int | None]


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return text_cell(value)


def write_csv(header: Sequence[str], rows: Iterable[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", delimiter=";", lineterminator="\r\n")
    writer.writerow([text_cell(label) for label in header])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx_value(value):
    return xlsx_text(value) if isinstance(value, str) else value


def write_xlsx(header: Sequence[str], rows: Iterable[Row], *, title: str, heading: str) -> bytes:
    """One sheet: a heading row, the column labels, the rows (dates as date cells)."""
    book = Workbook()
    sheet = book.active
    sheet.title = xlsx_text(title)[:31].replace("/", "-") or "Blad1"
    for values in ([heading], list(header)):
        sheet.append([_xlsx_value(value) for value in values])
        as_string_cells(sheet[sheet.max_row])
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
        cells = sheet[sheet.max_row]
        as_string_cells(cells)
        for cell in cells:
            if isinstance(cell.value, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    for index, label in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = max(12, min(40, len(label) + 4))
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
