"""A month's files carry an accepted dispute's credit line: CSV, XLSX and SIE agree to the öre,
and the SIE file still balances voucher by voucher (read back by the independent SIE reader)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone
from decimal import Decimal

from openpyxl import load_workbook

from tests.billing.disputes._helpers import BASE, close, march_to_april, users
from tests.billing.files.sie_reader import read_sie


def test_the_credit_line_is_in_every_file_of_the_month_that_wrote_it_and_the_sie_balances(
        db, api, engine, settings, frozen_clock):
    people = users(db)
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = api(people["buyer_finance"]).post(BASE, json={"booking_ref": booking.ref, "period": "2026-03",
                                                            "reason": "Fel"}).get_json()
    api(people["provider_coordinator"]).post(f"{BASE}/{dispute['id']}/resolve",
                                             json={"decision": "accepted", "credit": "750.25"})
    result, files = close(engine, settings, "2026-04", datetime(2026, 5, 2, tzinfo=timezone.utc))
    data = {f.format: f.path.read_bytes() for f in files}
    assert result.total_ore == 450_000 - 750_25

    rows = list(csv.DictReader(io.StringIO(data["csv"].decode("utf-8-sig"), newline=""), delimiter=";"))
    credit = [r for r in rows if r["correction_of"] == "2026-03"]
    assert [(r["booking_ref"], r["amount"], r["buyer_code"], r["provider_code"]) for r in credit] == [
        (booking.ref, "-750,25", "RK", "AMF")]
    assert sum(Decimal(r["amount"].replace(",", ".")) for r in rows) * 100 == result.total_ore

    sheet = load_workbook(io.BytesIO(data["xlsx"]))["Rader"]
    header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    lines = [dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    [credit_row] = [line for line in lines if line["Rättelse av"] == "2026-03"]
    assert credit_row["Belopp"] == -750.25 and credit_row["Bokning"] == booking.ref
    assert "dispute" in credit_row["Regel"]

    sie = read_sie(data["sie"])  # raises on an unbalanced voucher or an undeclared account or object
    transactions = [t for voucher in sie.vouchers for t in voucher.transactions]
    assert sum(t.amount for t in transactions) == 0
    credited = [t for t in transactions if "rättelse 2026-03" in t.text]
    assert sorted(t.amount for t in credited) == [Decimal("-750.25"), Decimal("750.25")]
    costs = sum(t.amount for t in transactions if t.account == "7691")
    assert costs * 100 == result.total_ore
