"""CSV for Excel (API.md): UTF-8 with BOM, ';' separated, decimal comma, CRLF, columns fixed.

With `activity_codes` (programme code → activity code, a month closed with the accounting
dimensions) five columns follow the others: DIMENSION_COLUMNS; a month closed before them is
written without, exactly as it always was. Pure: lines in, bytes out. Swedish Excel opens it by double-click with å/ä/ö intact and
amounts as numbers. Every text field goes through marketplace.kernel.spreadsheet.text_cell, so a name
that starts with "=" stays text; the amounts, days and dates are the service's own and stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import BinaryIO

from billing import money
from billing.files import FileHeader
from billing.lines import Line
from marketplace.kernel.spreadsheet import text_cell

COLUMNS = ("period", "buyer_code", "buyer_name", "provider_code", "provider_name", "booking_ref",
           "programme_code", "programme_name", "from_date", "to_date", "days", "unit_price", "unit",
           "amount", "correction_of")
# The city's accounting dimensions, after the columns above (whose order never changes).
DIMENSION_COLUMNS = ("buyer_account", "provider_account", "buyer_responsibility", "provider_responsibility",
                     "activity_code")
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


def dimension_values(line: Line, activity_codes: Mapping[str, str]) -> tuple[str, ...]:
    """The line's DIMENSION_COLUMNS: accounts and responsibility codes (ansvar, the cost centres)
    as stored on the line, the activity code as the close froze it for its programme."""
    return (line.buyer_cost_account, line.provider_revenue_account, line.buyer_cost_centre,
            line.provider_cost_centre, activity_codes.get(line.programme_code, ""))


def write_csv_to(out: BinaryIO, header: FileHeader, lines: Iterable[Line], *, flush_every: int = 2000,
                 activity_codes: Mapping[str, str] | None = None) -> None:
    """Stream the CSV into `out` (lines must already be in file order); with `activity_codes`,
    the dimension columns too."""
    out.write(BOM)
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect=ExcelSemicolon)
    writer.writerow(COLUMNS if activity_codes is None else COLUMNS + DIMENSION_COLUMNS)
    for number, line in enumerate(lines, 1):
        row = _row(line)
        if activity_codes is not None:
            row += [text_cell(value) for value in dimension_values(line, activity_codes)]
        writer.writerow(row)
        if number % flush_every == 0:
            out.write(buffer.getvalue().encode("utf-8"))
            buffer.seek(0)
            buffer.truncate()
    out.write(buffer.getvalue().encode("utf-8"))


def write_csv(header: FileHeader, lines: Iterable[Line], *, activity_codes: Mapping[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    write_csv_to(out, header, lines, activity_codes=activity_codes)
    return out.getvalue()
