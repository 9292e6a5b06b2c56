from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from billing.periods import bounds, period_of, periods_between
from billing.pricing import exact_amount, price_lines
from tests.billing._factories import record


def _total(booking) -> int:
    return sum(line.amount_ore for period in periods_between(period_of(booking.start_date), period_of(booking.end_date))
               for line in price_lines(booking, period))


@pytest.mark.parametrize("unit, start, end, period, amount, days", [
    ("month", date(2026, 3, 1), date(2026, 3, 31), "2026-03", 450000, 31),
    ("month", date(2026, 3, 17), date(2026, 4, 30), "2026-03", 217742, 15),  # 4500 × 15/31 = 2177.419…
    ("month", date(2026, 2, 1), date(2026, 2, 14), "2026-02", 225000, 14),  # 14/28
    ("month", date(2028, 2, 1), date(2028, 2, 14), "2028-02", 217241, 14),  # leap year 14/29
    ("day", date(2026, 3, 30), date(2026, 4, 2), "2026-03", 2 * 450000, 2),
    ("day", date(2026, 3, 30), date(2026, 4, 2), "2026-04", 2 * 450000, 2),
    ("placement", date(2026, 3, 30), date(2026, 6, 2), "2026-03", 450000, 2),
])
def test_each_unit_is_priced_as_design_says(unit, start, end, period, amount, days):
    [line] = price_lines(record(start=start, end=end, unit=unit), period)
    assert (line.amount_ore, line.days) == (amount, days)
    assert line.rule.startswith(unit)


def test_a_placement_price_is_charged_only_in_the_start_month():
    booking = record(start=date(2026, 3, 30), end=date(2026, 6, 2), unit="placement")
    assert [price_lines(booking, p) != [] for p in ("2026-03", "2026-04", "2026-05", "2026-06")] == [True, False, False, False]


def test_month_half_ore_rounds_up():
    # 1 öre × 15 / 30 = 0.5 öre -> 1 öre
    [line] = price_lines(record(start=date(2026, 4, 1), end=date(2026, 4, 15), price_ore=1), "2026-04")
    assert line.amount_ore == 1


@pytest.mark.parametrize("status", ["requested", "waitlisted", "rejected", "expired", "cancelled"])
def test_bookings_that_never_started_cost_nothing(status):
    assert price_lines(record(start=date(2026, 3, 1), end=date(2026, 3, 31), status=status), "2026-03") == []


def test_buying_from_yourself_costs_nothing():
    assert price_lines(record(start=date(2026, 3, 1), end=date(2026, 3, 31), buyer_id=5, provider_id=5), "2026-03") == []


def test_months_outside_the_booking_have_no_line():
    assert price_lines(record(start=date(2026, 3, 1), end=date(2026, 3, 31)), "2026-04") == []


_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def _bookings(draw):
    start = draw(_days)
    end = start + timedelta(days=draw(st.integers(0, 500)))
    unit = draw(st.sampled_from(["month", "day"]))
    price = draw(st.integers(0, 5_000_000))
    return record(start=start, end=end, unit=unit, price_ore=price)


@settings(max_examples=150, deadline=None)
@given(_bookings(), st.data())
def test_splitting_a_placement_at_a_month_boundary_never_changes_the_total_beyond_rounding(booking, data):
    months = periods_between(period_of(booking.start_date), period_of(booking.end_date))
    whole = _total(booking)
    exact = sum(exact_amount(booking, p) for p in months)
    assert abs(Fraction(whole) - exact) <= Fraction(len(months), 2)
    if len(months) > 1:
        boundary = bounds(data.draw(st.sampled_from(months[1:])))[0]
        first = record(start=booking.start_date, end=boundary - timedelta(days=1), unit=booking.price_unit,
                       price_ore=booking.price_ore)
        second = record(start=boundary, end=booking.end_date, unit=booking.price_unit, price_ore=booking.price_ore)
        split = _total(first) + _total(second)
        assert split == whole  # lines are per month already, so the split rounds identically
        assert abs(Fraction(split) - exact) <= Fraction(len(months), 2)


@settings(max_examples=100, deadline=None)
@given(_bookings())
def test_every_line_is_within_half_an_ore_of_the_exact_amount(booking):
    for period in periods_between(period_of(booking.start_date), period_of(booking.end_date)):
        for line in price_lines(booking, period):
            assert abs(Fraction(line.amount_ore) - exact_amount(booking, period)) <= Fraction(1, 2)


@settings(max_examples=100, deadline=None)
@given(_bookings())
def test_a_full_month_costs_exactly_the_monthly_price(booking):
    for period in periods_between(period_of(booking.start_date), period_of(booking.end_date)):
        first, last = bounds(period)
        if booking.price_unit == "month" and booking.start_date <= first and booking.end_date >= last:
            assert price_lines(booking, period)[0].amount_ore == booking.price_ore
