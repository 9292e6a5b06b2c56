"""XLSX for finance: a sheet of lines and a summary sheet of buyer–provider totals.

Numbers are numbers with SEK formatting, the header row is frozen. Byte-identical every
time: openpyxl's write-only mode streams rows to disk; the zip entries get a fixed date and
the document properties the month's close time (openpyxl would stamp "now" on both).
Excel holds at most 1 048 576 rows a sheet, so a larger month keeps every total in the
summary and caps the detail sheet, saying so. Pure: lines in, bytes out.
"""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Iterable
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from billing import money
from billing.files import FileHeader
from billing.lines import Line, PairTotal

EXCEL_MAX_ROWS = 1_048_576
DETAIL_CAP = EXCEL_MAX_ROWS - 1  # one header row
SEK_FORMAT = '#,##0.00 "kr";-#,##0.00 "kr"'
DATE_FORMAT = "yyyy-mm-dd"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
LINE_HEADERS = ("Period", "Köpare", "Köpare namn", "Kostnadsställe köpare", "Kostnadskonto köpare",
                "Säljare", "Säljare namn", "Kostnadsställe säljare", "Intäktskonto säljare",
                "Bokning", "Insats", "Insatsnamn", "Från", "Till", "Dagar", "Pris", "Enhet", "Belopp",
                "Rättelse av", "Regel")
SUMMARY_HEADERS = ("Köpare", "Köpare namn", "Säljare", "Säljare namn", "Rader", "Belopp")


class _FixedDateZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed date and mode (openpyxl uses 'now')."""

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        name = zinfo_or_arcname.filename if isinstance(zinfo_or_arcname, zipfile.ZipInfo) else zinfo_or_arcname
        return super().writestr(self._info(name), data)

    def write(self, filename, arcname=None, *args, **kwargs):
        with open(filename, "rb") as source, self.open(self._info(arcname or str(filename)), "w", force_zip64=True) as target:
            shutil.copyfileobj(source, target, 1 << 20)


def _header_row(sheet, titles) -> list:
    bold = Font(bold=True)
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        cells.append(cell)
    return cells


def _money_cell(sheet, amount_ore: int):
    cell = WriteOnlyCell(sheet, value=money.ore_to_decimal(amount_ore))
    cell.number_format = SEK_FORMAT
    return cell


def _date_cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = DATE_FORMAT
    return cell


def write_xlsx_to(out: BinaryIO, header: FileHeader, lines: Iterable[Line], totals: list[PairTotal], *,
                  detail_cap: int = DETAIL_CAP) -> None:
    """Write the workbook into `out` (seekable); `lines` in file order, `totals` by pair."""
    book = Workbook(write_only=True)
    moment = header.closed_at.replace(tzinfo=None, microsecond=0)  # openpyxl stores naive UTC
    book.properties.created = moment
    book.properties.modified = moment
    book.properties.creator = "Insatstorget"
    book.properties.title = f"Internfakturering {header.period}"

    detail = book.create_sheet("Rader")
    detail.freeze_panes = "A2"
    detail.append(_header_row(detail, LINE_HEADERS))
    # Styled cells are made once per column and refilled: write-only mode serialises a row as
    # soon as it is appended, and registering a style per cell would cost most of the time.
    from_cell, to_cell = _date_cell(detail, None), _date_cell(detail, None)
    price_cell, amount_cell = _money_cell(detail, 0), _money_cell(detail, 0)
    written = 0
    truncated = False
    for line in lines:
        if written >= detail_cap:
            truncated = True
            break
        from_cell.value, to_cell.value = line.from_date, line.to_date
        price_cell.value = money.ore_to_decimal(line.unit_price_ore)
        amount_cell.value = money.ore_to_decimal(line.amount_ore)
        detail.append([
            line.period, line.buyer_code, line.buyer_name, line.buyer_cost_centre, line.buyer_cost_account,
            line.provider_code, line.provider_name, line.provider_cost_centre, line.provider_revenue_account,
            line.booking_ref, line.programme_code, line.programme_name, from_cell, to_cell, line.days,
            price_cell, line.unit, amount_cell, line.corrects_period or None, line.rule,
        ])
        written += 1

    summary = book.create_sheet("Summering")
    summary.freeze_panes = "A2"
    summary.append(_header_row(summary, SUMMARY_HEADERS))
    grand = count = 0
    for total in totals:
        summary.append([total.buyer_code, total.buyer_name, total.provider_code, total.provider_name,
                        total.line_count, _money_cell(summary, total.amount_ore)])
        grand += total.amount_ore
        count += total.line_count
    label = WriteOnlyCell(summary, value="Totalt")
    label.font = Font(bold=True)
    grand_cell = _money_cell(summary, grand)
    grand_cell.font = Font(bold=True)
    summary.append([label, None, None, None, count, grand_cell])
    if truncated:
        note = WriteOnlyCell(summary, value=(f"Bladet Rader visar de första {detail_cap} av {count} raderna "
                                             "(Excels gräns). Alla rader finns i CSV- och SIE-filen."))
        note.alignment = Alignment(wrap_text=False)
        summary.append([])
        summary.append([note])

    archive = _FixedDateZip(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(book, archive).save()


def write_xlsx(header: FileHeader, lines: list[Line], totals: list[PairTotal], *, detail_cap: int = DETAIL_CAP) -> bytes:
    out = io.BytesIO()
    write_xlsx_to(out, header, lines, totals, detail_cap=detail_cap)
    return out.getvalue()
