"""Demo step: close every month from the first one with a demo booking (at most a year back) up to
the month before last, oldest first, so the demo shows closed months with files, nothing open
behind them, and leaves last month for finance to close in one click. Idempotent (closing again
changes nothing)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.month_close import close_month
from billing.periods import period_of, periods_between, previous_period
from marketplace.bookings.public import Booking
from marketplace.kernel.errors import DomainError
from marketplace.operations import demo

MONTHS_BACK = 12  # the months list shows the current month and the twelve before it


def _first_period(session: Session, today: date) -> str:
    oldest = period_of(today)
    for _ in range(MONTHS_BACK):
        oldest = previous_period(oldest)
    first_start = session.execute(select(func.min(Booking.start_date))).scalar()
    return max(oldest, period_of(first_start)) if first_start else oldest


def seed_billing(session: Session, *, today: date, now: datetime) -> str:
    last = previous_period(previous_period(period_of(today)))
    months = periods_between(_first_period(session, today), last) or [last]
    done = []
    for period in months:
        try:
            result = close_month(session, period, actor=None, now=now)
        except DomainError as error:
            return f"Billing: {period} not closed ({error.message})"
        done.append(f"{period} {'closed' if result.closed_now else 'already closed'} ({result.line_count} lines)")
    return f"Billing: {'; '.join(done)}; {previous_period(period_of(today))} is left for finance to close"


if seed_billing not in demo.DEMO_STEPS:
    demo.DEMO_STEPS.append(seed_billing)
