"""A demo finance believes: the seed closes every month up to the month before last, the months
list shows each open month's total (what closing it now would write) and the start page lists
every ended open month with its total."""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

from billing.demo import seed_billing
from billing.models import BillingPeriod, PeriodStatus
from billing.month_close import preview_month_totals, preview_pair_totals
from billing.periods import periods_between
from billing.queries import list_periods
from marketplace.kernel.db import transaction
from tests.billing._factories import make_booking, make_programme

NOW = datetime(2026, 5, 10, 8, 0, tzinfo=timezone.utc)
TODAY = date(2026, 5, 10)


def _bookings(db):
    amf, hv = make_programme(db, organisation="AMF"), make_programme(db, organisation="HV", price_ore=100_00, price_unit="day")
    kuf = make_programme(db, organisation="KUF", price_ore=1_000_00, price_unit="placement")
    make_booking(db, amf, buyer="RK", start=date(2025, 11, 17), end=date(2026, 6, 1))
    make_booking(db, hv, buyer="RK", start=date(2026, 3, 30), end=date(2026, 5, 3))
    make_booking(db, amf, buyer="ST", start=date(2026, 2, 1), end=date(2026, 4, 10))
    make_booking(db, kuf, buyer="SO", start=date(2026, 4, 5), end=date(2026, 6, 5))
    make_booking(db, amf, buyer="SO", status="cancelled", start=date(2026, 4, 1), end=date(2026, 4, 30))


def test_one_pass_month_totals_equal_the_pair_previews(db):
    _bookings(db)
    periods = periods_between("2025-10", "2026-07")
    totals = preview_month_totals(db, periods)
    for period in periods:
        pairs = preview_pair_totals(db, period)
        assert totals[period] == (sum(p.amount_ore for p in pairs), sum(p.line_count for p in pairs)), period
    assert totals["2026-04"][0] > 0 and totals["2025-10"] == (0, 0)


def test_the_demo_closes_every_month_before_the_last_and_finance_sees_the_open_totals(
        db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-05-10T10:00:00+02:00")
    _bookings(db)
    with transaction(db, write_lock=True):
        report = seed_billing(db, today=TODAY, now=NOW)
    assert "2025-11 closed" in report and "2026-03 closed" in report and "2026-04 is left for finance" in report
    for period in periods_between("2025-11", "2026-03"):
        assert db.get(BillingPeriod, period).status == PeriodStatus.CLOSED.value, period
    assert db.get(BillingPeriod, "2026-04") is None

    months = {p.period: p for p in list_periods(db, today=TODAY)}
    for period in ("2026-04", "2026-05"):
        pairs = preview_pair_totals(db, period)
        assert months[period].status == "open"
        assert (months[period].total_ore, months[period].line_count) == (
            sum(p.amount_ore for p in pairs), sum(p.line_count for p in pairs))
        assert months[period].total_ore > 0
    assert months["2025-10"].total_ore == 0

    login(finance_user)
    page = client.get("/fakturering").get_data(as_text=True)
    april = page.split('href="/fakturering/2026-04"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'class="num">\d+</td>', april) and "kr" in april and "–" not in april
    start = client.get("/").get_data(as_text=True)
    assert 'href="/fakturering/2026-04"' in start
    assert f"{months['2026-04'].line_count} rader" in start
    assert 'href="/fakturering/2026-03"' not in start  # closed by the demo
