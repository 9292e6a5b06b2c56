"""CSV for Excel (API.md): UTF-8 with BOM, ';' separated, decimal comma, CRLF, columns fixed.

Pure: lines in, bytes out. Swedish Excel opens it by double-click with å/ä/ö intact and
amounts as numbers. Every text field goes through marketplace.kernel.spreadsheet.text_cell, so a name
that starts with "=" stays text; the amounts, days and dates are the service's own and stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO

from billing import money
from billing.files import FileHeader
from billing.lines import Line
from marketplace.kernel.spreadsheet import text_cell

COLUMNS = ("period", "buyer_code", "buyer_name", "provider_code", "provider_name", "booking_ref",
           "programme_code", "programme_name", "from_date", "to_date", "days", "unit_price", "unit",
           "amount", "correction_of")
BOM = "\ufeff".encode()


class ExcelSemicolon(csv.excel):
    delimiter = ";"


def _row(line: Line) -> list[str]:
    texts = [text_cell(value) for value in (line.period, line.buyer_code, line.buyer_name, line.provider_code,
                                            line.provider_name, line.booking_ref, line.programme_code,
                                            line.programme_name)]
    return texts + [
        line.from_date.isoformat(), line.to_date.isoformat(),
        str(line.days), money.format_decimal_comma(line.unit_price_ore), text_cell(line.unit),
        money.format_decimal_comma(line.amount_ore), text_cell(line.corrects_period),
    ]


def write_csv_to(out: BinaryIO, header: FileHeader, lines: Iterable[Line], *, flush_every: int = 2000) -> None:
    """Stream the CSV into `out` (lines must already be in file order)."""
    out.write(BOM)
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=ExcelSemicolon)
    writer.writerow(COLUMNS)
    for number, line in enumerate(lines, 1):
        writer.writerow(_row(line))
        if number % flush_every == 0:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))


def write_csv(header: FileHeader, lines: Iterable[Line]) -> bytes:
    out = io.BytesIO()
    write_csv_to(out, header, lines)
    return out.getvalue()
