"""Demo step: close the month before last, so the demo shows a closed month with files and
leaves last month for finance to close in one click. Idempotent (closing again changes nothing)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from billing.month_close import close_month
from billing.periods import period_of, previous_period
from marketplace.operations import demo
from marketplace.kernel.errors import DomainError


def seed_billing(session: Session, *, today: date, now: datetime) -> str:
    period = previous_period(previous_period(period_of(today)))
    try:
        result = close_month(session, period, actor=None, now=now)
    except DomainError as error:
        return f"Billing: {period} not closed ({error.message})"
    state = "closed" if result.closed_now else "already closed"
    return f"Billing: {period} {state} ({result.line_count} lines); {previous_period(period_of(today))} is left for finance to close"


if seed_billing not in demo.DEMO_STEPS:
    demo.DEMO_STEPS.append(seed_billing)
