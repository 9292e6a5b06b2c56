"""Statistics' money and billing's pricing must agree (before billing rounds each line)."""

import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from billing.pricing import exact_amount
from marketplace.bookings.billable import billable_bookings
from marketplace.stats import queries
from tests.marketplace.followups._factories import make_booking, make_programme


def test_money_per_month_equals_billings_exact_amounts(db, staff_user):
    randomiser = random.Random(7)
    programmes = [make_programme(db, organisation=org, price_ore=price, price_unit=unit)
                  for org, price, unit in (("AMF", 450_000, "month"), ("HV", 12_345, "day"), ("ST", 999_999, "placement"),
                                           ("RK", 300_000, "month"))]
    for _ in range(60):
        start = date(2025, 11, 1) + timedelta(days=randomiser.randrange(200))
        make_booking(db, randomiser.choice(programmes), staff_user, buyer=randomiser.choice(["RK", "ST", "HV"]),
                     status=randomiser.choice(["approved", "active", "ended", "cancelled", "requested"]),
                     start=start, end=start + timedelta(days=randomiser.randrange(1, 150)), commit=False)
    db.commit()
    months, _ = queries.money(db, queries.Scope(date(2026, 1, 1), date(2026, 6, 30)))
    for month in months:
        year, number = map(int, month.month.split("-"))
        first = date(year, number, 1)
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        expected = sum((exact_amount(b, month.month) for b in billable_bookings(db, first, last) if b.is_billable), Fraction(0))
        assert abs(Fraction(month.bought) - expected / 100) < Fraction(1, 10**12), month.month
    assert sum(m.bought for m in months) > Decimal(0)
