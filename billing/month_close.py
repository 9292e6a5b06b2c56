"""Close a month: write its charge and correction lines once, all or nothing.

The caller runs this inside transaction(session, write_lock=True): on SQLite that is
BEGIN IMMEDIATE (one writer); on PostgreSQL this takes a transaction-level advisory lock,
so two closes of the same month queue and the second finds it closed. Lines are streamed
from the booking rows and inserted in batches in the same transaction; the period row is
marked closed last. A crash anywhere before commit leaves nothing; after it, everything.
Files are made afterwards from the stored rows (billing.storage), so they never depend on
when or how often they are made.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from billing import accounting_codes
from billing.corrections import correction_lines
from billing.lines import Line
from billing.models import BillingPeriod, ChargeLine, LineKind, PeriodStatus
from billing.periods import bounds, has_ended, parse_period
from billing.pricing import price_lines
from marketplace import audit
from marketplace.auth.policy import Actor
from marketplace.bookings.billable import billable_bookings
from marketplace.clock import STOCKHOLM
from marketplace.db import is_sqlite
from marketplace.errors import Conflict

BATCH = 5000
_TABLE = ChargeLine.__table__


@dataclass(frozen=True)
class CloseResult:
    period: str
    closed_now: bool  # False: it was closed already and nothing was written
    closed_at: datetime
    line_count: int
    total_ore: int


def compute_lines(session: Session, period: str) -> Iterator[Line]:
    """Every line closing `period` would write now: the month's charges, then corrections (unsorted)."""
    first, last = bounds(period)
    for record in billable_bookings(session, first, last):
        for draft in price_lines(record, period):
            yield Line(
                period=period, kind=LineKind.CHARGE.value, corrects_period="",
                booking_id=record.booking_id, booking_ref=record.ref,
                programme_code=record.programme_code, programme_name=record.programme_name,
                buyer_organisation_id=record.buyer.id, buyer_code=record.buyer.code, buyer_name=record.buyer.name,
                buyer_cost_centre=record.buyer.cost_centre, buyer_cost_account=record.buyer.cost_account,
                provider_organisation_id=record.provider.id, provider_code=record.provider.code,
                provider_name=record.provider.name, provider_cost_centre=record.provider.cost_centre,
                provider_revenue_account=record.provider.revenue_account,
                from_date=draft.from_date, to_date=draft.to_date, days=draft.days,
                unit_price_ore=draft.unit_price_ore, unit=draft.unit, amount_ore=draft.amount_ore, rule=draft.rule,
            )
    yield from correction_lines(session, period)


def check_codes(line: Line) -> None:
    """Refuse to close with an organisation whose codes are missing or malformed (409)."""
    problems = [
        (line.buyer_code, accounting_codes.account_error(line.buyer_cost_account)),
        (line.buyer_code, accounting_codes.cost_centre_error(line.buyer_cost_centre)),
        (line.provider_code, accounting_codes.account_error(line.provider_revenue_account)),
        (line.provider_code, accounting_codes.cost_centre_error(line.provider_cost_centre)),
    ]
    for code, problem in problems:
        if problem:
            raise Conflict(f"Organisation {code} has invalid accounting codes: {problem} An admin must correct them first.",
                           code="invalid_accounting_codes", organisation=code)


def _local_today(now: datetime) -> date:
    return now.astimezone(STOCKHOLM).date()


def _lock(session: Session) -> None:
    if not is_sqlite(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('billing.close_month'))"))


def _insert_batch(session: Session, rows: list[dict]) -> None:
    """Insert one batch of lines (a seam the crash test uses to die between batches)."""
    session.execute(_TABLE.insert(), rows)


def close_month(session: Session, period: str, *, actor: Actor | None, now: datetime, ip: str | None = None) -> CloseResult:
    """Close `period` ('YYYY-MM') once; a second call returns the first result unchanged.

    Raises Invalid (422) for a malformed period, Conflict (409) when the month has not
    ended in Stockholm time or an organisation's accounting codes are invalid.
    """
    parse_period(period)
    _lock(session)
    existing = session.get(BillingPeriod, period, populate_existing=True)
    if existing is not None and existing.status == PeriodStatus.CLOSED.value:
        return CloseResult(period, False, existing.closed_at, existing.line_count, existing.total_ore)
    if not has_ended(period, _local_today(now)):
        raise Conflict(f"The month {period} has not ended yet; it can be closed from the first day of the next month.",
                       code="period_not_over", period=period)

    count = total = 0
    batch: list[dict] = []
    checked: set[tuple] = set()
    for line in compute_lines(session, period):
        codes = (line.buyer_code, line.buyer_cost_centre, line.buyer_cost_account, line.provider_code,
                 line.provider_cost_centre, line.provider_revenue_account)
        if codes not in checked:  # a month has few distinct organisations; check each once
            check_codes(line)
            checked.add(codes)
        row = line.as_row()
        row["created_at"] = now
        batch.append(row)
        count += 1
        total += line.amount_ore
        if len(batch) >= BATCH:
            _insert_batch(session, batch)
            batch = []
    if batch:
        _insert_batch(session, batch)

    row = existing or BillingPeriod(period=period)
    row.status = PeriodStatus.CLOSED.value
    row.closed_at = now
    row.closed_by_id = actor.user_id if actor else None
    row.closed_by_name = actor.name if actor else "scheduler"
    row.line_count = count
    row.total_ore = total
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="billing.close", object_type="billing_period", object_id=period,
                 now=now, ip=ip, details={"lines": count, "total_ore": total})
    return CloseResult(period, True, now, count, total)
