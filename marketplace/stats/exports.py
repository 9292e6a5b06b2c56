"""Statistics files: CSV for Swedish Excel (UTF-8 with BOM, ';', decimal comma) and XLSX.

Pure writers: tables in, bytes out. Hidden (suppressed) figures are written as '..', the
sign official Swedish statistics use for "cannot be shown". Text (programme and organisation
names) goes into CSV through marketplace.kernel.spreadsheet.text_cell and into XLSX as string cells,
so it is never a formula; figures are numbers.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import Workbook

from marketplace.kernel.spreadsheet import as_string_cells, text_cell, xlsx_text
from marketplace.stats.report import Table

HIDDEN = ".."


def _text(value) -> str:
    if value is None:
        return HIDDEN
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01"))).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return text_cell(value)


def write_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel", delimiter=";", lineterminator="\r\n")
    writer.writerow([text_cell(column.label) for column in table.columns])
    for row in table.rows:
        writer.writerow([_text(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _cell(value):
    if value is None:
        return HIDDEN
    if isinstance(value, Decimal):
        return float(value.quantize(Decimal("0.01")))  # Excel cells are binary floats
    return xlsx_text(value) if isinstance(value, str) else value


def _append(sheet, values: list) -> None:
    sheet.append(values)
    as_string_cells(sheet[sheet.max_row])


def write_xlsx(tables: list[Table], *, heading: str) -> bytes:
    """One sheet per table: a heading row, the column labels, the rows, then the table's note."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31].replace("/", "-"))
        _append(sheet, [xlsx_text(heading)])
        _append(sheet, [column.label for column in table.columns])
        for row in table.rows:
            _append(sheet, [_cell(value) for value in row])
            for column, cell in zip(table.columns, sheet[sheet.max_row]):
                if column.kind in ("money", "percent", "days") and isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
        if table.note:
            sheet.append([])
            _append(sheet, [table.note])
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = max(12, min(40, len(column.label) + 4))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
