"""A closed month's stored files, read back by the independent readers, agree to the öre."""

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from billing import operations
from tests.billing._factories import change_booking, make_booking, make_programme
from tests.billing.files.sie_reader import read_sie


def _close(engine, settings, period, now):
    with Session(engine, expire_on_commit=False) as session:
        return operations.close_and_store(session, period, actor=None, now=now, instance_path=settings.instance_path)


def test_lines_totals_csv_xlsx_and_sie_debits_and_credits_all_agree(db, engine, settings):
    month, day, once = (make_programme(db, organisation="AMF"), make_programme(db, organisation="HV", price_ore=333_33, price_unit="day"),
                        make_programme(db, organisation="KUF", price_ore=12_345_67, price_unit="placement"))
    first = make_booking(db, month, start=date(2026, 2, 11), end=date(2026, 4, 9))
    make_booking(db, day, buyer="ST", start=date(2026, 2, 27), end=date(2026, 3, 2))
    make_booking(db, once, buyer="SO", start=date(2026, 3, 31), end=date(2026, 5, 1))
    _close(engine, settings, "2026-02", datetime(2026, 3, 2, tzinfo=timezone.utc))
    change_booking(db, first, at=datetime(2026, 3, 3, tzinfo=timezone.utc), price_ore=400_000)  # a correction of February
    result, files = _close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    data = {f.format: f.path.read_bytes() for f in files}
    total = result.total_ore

    rows = list(csv.DictReader(io.StringIO(data["csv"].decode("utf-8-sig"), newline=""), dialect="excel", delimiter=";"))
    assert len(rows) == result.line_count == 4 and any(r["correction_of"] == "2026-02" for r in rows)
    assert sum(Decimal(r["amount"].replace(",", ".")) for r in rows) * 100 == total

    book = load_workbook(io.BytesIO(data["xlsx"]))
    grand = [r for r in book["Summering"].iter_rows(values_only=True) if r and r[0] == "Totalt"][0]
    assert round(Decimal(str(grand[5])) * 100) == total

    sie = read_sie(data["sie"])
    transactions = [t for v in sie.vouchers for t in v.transactions]
    assert sum(t.amount for t in transactions if t.amount > 0) - sum(-t.amount for t in transactions if t.amount < 0) == 0
    debits = sum(t.amount for t in transactions if t.account == "7691")
    credits = sum(t.amount for t in transactions if t.account == "3691")
    assert debits * 100 == total and credits * 100 == -total
    assert len(sie.vouchers) == 3  # RK–AMF, SO–KUF, ST–HV
