"""The follow-up rule of the seeds as a pure function: first about one month after the start,
then every three months while the placement lasts. No session, no Flask."""

from __future__ import annotations

import calendar
from datetime import date

FIRST_AFTER_MONTHS = 1
INTERVAL_MONTHS = 3


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(start_date: date, end_date: date) -> list[date]:
    """Return every due date on or before end_date: start + 1 month, then + 3 months each.

    Each date is computed from the start, not from the previous date, so clamping at a
    short month never drifts the rest. A placement shorter than a month gets no follow-up
    (its end, with the outcome, is the follow-up).
    """
    dates: list[date] = []
    months = FIRST_AFTER_MONTHS
    while (due := add_months(start_date, months)) <= end_date:
        dates.append(due)
        months += INTERVAL_MONTHS
    return dates
