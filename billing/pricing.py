"""Pure pricing: what one booking costs in one month, as line drafts naming the rule used.

DESIGN.md, billing rules: unit month = monthly price × days in the period ÷ days in that
calendar month; unit day = price × days; unit placement = the whole price in the month of
start_date. Each line is rounded to öre (half up, in money.py). No session, no Flask.
"""

from __future__ import annotations

from typing import NamedTuple
from datetime import date
from fractions import Fraction

from billing import money
from billing.periods import bounds, days_in_month, period_of
from marketplace.bookings.public import BillableBooking

UNITS = ("month", "day", "placement")


class LineDraft(NamedTuple):
    """One charge for one booking in one month, before it is written (or previewed)."""

    booking_id: int
    period: str
    from_date: date
    to_date: date
    days: int
    unit_price_ore: int
    unit: str
    amount_ore: int
    rule: str  # how the amount was computed, in words finance can check by hand


def exact_amount(booking: BillableBooking, period: str) -> Fraction:
    """The unrounded amount in öre (for tests and the rounding proof); 0 outside the booking."""
    span = overlap(booking, period)
    if span is None:
        return Fraction(0)
    days = (span[1] - span[0]).days + 1
    if booking.price_unit == "month":
        return Fraction(booking.price_ore * days, days_in_month(period))
    if booking.price_unit == "day":
        return Fraction(booking.price_ore * days)
    if booking.price_unit == "placement":
        return Fraction(booking.price_ore) if period_of(booking.start_date) == period else Fraction(0)
    raise ValueError(f"unknown price unit {booking.price_unit!r}")


def overlap(booking: BillableBooking, period: str) -> tuple[date, date] | None:
    """The booking's days inside the month, inclusive, or None."""
    return _days_within(booking.start_date, booking.end_date, period)


def _days_within(start_date: date, end_date: date, period: str) -> tuple[date, date] | None:
    first, last = bounds(period)
    start, end = max(first, start_date), min(last, end_date)
    return (start, end) if start <= end else None


def charge(start_date: date, end_date: date, price_ore: int, unit: str, period: str) -> tuple[date, date, int, int] | None:
    """(first day, last day, days, amount in öre) a billable booking with these dates and price owes
    for `period`, or None: the one pricing rule, used for lines and for an open month's totals."""
    span = _days_within(start_date, end_date, period)
    if span is None:
        return None
    start, end = span
    if unit == "placement" and period_of(start_date) != period:
        return None
    days = (end - start).days + 1
    if unit == "month":
        amount = money.round_ratio(price_ore * days, days_in_month(period))
    elif unit == "day":
        amount = price_ore * days
    elif unit == "placement":
        amount = price_ore
    else:
        raise ValueError(f"unknown price unit {unit!r}")
    return start, end, days, amount


def price_lines(booking: BillableBooking, period: str) -> list[LineDraft]:
    """The charge lines `booking` owes for `period` (zero or one line); [] if not billable."""
    if not booking.is_billable:
        return []
    charged = charge(booking.start_date, booking.end_date, booking.price_ore, booking.price_unit, period)
    if charged is None:
        return []
    start, end, days, amount = charged
    unit = booking.price_unit
    price = money.format_amount(booking.price_ore)
    if unit == "month":
        rule = f"month: {price} × {days}/{days_in_month(period)} days, rounded half up"
    elif unit == "day":
        rule = f"day: {price} × {days} days"
    else:
        rule = f"placement: {price} once, in the month of the start date {booking.start_date.isoformat()}"
    return [LineDraft(booking.booking_id, period, start, end, days, booking.price_ore, unit, amount, rule)]
