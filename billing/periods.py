"""Billing periods as 'YYYY-MM' strings: parsing, bounds, neighbours. Pure."""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import lru_cache

from marketplace.kernel.errors import Invalid

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_period(text: str) -> str:
    """Validate 'YYYY-MM' (2000–2100); Invalid (422) names the field `period` otherwise."""
    match = _PERIOD.match(text or "")
    if not match or not MIN_YEAR <= int(match.group(1)) <= MAX_YEAR:
        raise Invalid("The period must be a month written YYYY-MM, e.g. 2026-03.", field="period", code="bad_period")
    return text


@lru_cache(maxsize=256)
def bounds(period: str) -> tuple[date, date]:
    """First and last day of the month (inclusive)."""
    year, month = int(period[:4]), int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


@lru_cache(maxsize=256)
def days_in_month(period: str) -> int:
    return bounds(period)[1].day


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def previous_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def periods_between(first: str, last: str) -> list[str]:
    """Every period from first to last inclusive (empty if first > last)."""
    result, current = [], first
    while current <= last:
        result.append(current)
        current = next_period(current)
    return result


def has_ended(period: str, today: date) -> bool:
    """A month can be closed only once its last day is over (DESIGN.md)."""
    return bounds(period)[1] < today
