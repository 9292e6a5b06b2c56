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
from marketplace.bookings.billable import BillableBooking

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
    first, last = bounds(period)
    start, end = max(first, booking.start_date), min(last, booking.end_date)
    return (start, end) if start <= end else None


def price_lines(booking: BillableBooking, period: str) -> list[LineDraft]:
    """The charge lines `booking` owes for `period` (zero or one line); [] if not billable."""
    if not booking.is_billable:
        return []
    span = overlap(booking, period)
    if span is None:
        return []
    unit = booking.price_unit
    if unit == "placement" and period_of(booking.start_date) != period:
        return []
    days = (span[1] - span[0]).days + 1
    price = money.format_amount(booking.price_ore)
    if unit == "month":
        month_days = days_in_month(period)
        amount = money.round_ratio(booking.price_ore * days, month_days)
        rule = f"month: {price} × {days}/{month_days} days, rounded half up"
    elif unit == "day":
        amount = booking.price_ore * days
        rule = f"day: {price} × {days} days"
    elif unit == "placement":
        amount = booking.price_ore
        rule = f"placement: {price} once, in the month of the start date {booking.start_date.isoformat()}"
    else:
        raise ValueError(f"unknown price unit {unit!r}")
    return [LineDraft(booking.booking_id, period, span[0], span[1], days, booking.price_ore, unit, amount, rule)]


def period_total(booking: BillableBooking, period: str) -> int:
    """Sum of the rounded lines for one booking and month, in öre."""
    return sum(line.amount_ore for line in price_lines(booking, period))
