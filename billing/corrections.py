"""Corrections: closed months recomputed from the booking rows as they are now.

DESIGN.md: a closed month never changes; a later change that affects it (an earlier end,
a cancellation, a corrected price) becomes a correction line, positive or negative, in the
next month to be closed, naming the month it corrects (accepted disputes' credits follow the
same path: billing.disputes.credits). Nothing here writes: month_close
stores what this yields. A closed month can only be wrong for a booking whose row changed
after that month was closed, so only those bookings (Booking.updated_at ≥ closed_at) are
recomputed; for them every closed month is compared in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from billing import money
from billing.disputes.credits import credit_lines
from billing.lines import Line, booking_columns
from billing.models import BillingPeriod, ChargeLine, LineKind, PeriodStatus
from billing.periods import period_of
from billing.pricing import price_lines
from catalog.models import Programme
from marketplace.bookings.public import BillableBooking, bookings_by_ids, bookings_changed_since
from marketplace.bookings.public import Booking

CHUNK = 500


def closed_months(session: Session, *, other_than: str | None = None) -> dict[str, datetime]:
    """Closed months and when each was closed."""
    stmt = select(BillingPeriod.period, BillingPeriod.closed_at).where(BillingPeriod.status == PeriodStatus.CLOSED.value)
    if other_than:
        stmt = stmt.where(BillingPeriod.period != other_than)
    return {period: closed_at for period, closed_at in session.execute(stmt)}


def correction_lines(session: Session, period: str, *, buyer_id: int | None = None,
                     provider_id: int | None = None) -> Iterator[Line]:
    """Yield every line closing `period` would write besides the month's own charges (unsorted):
    the corrections, then accepted disputes' credits (billing.disputes.credits); with buyer_id or
    provider_id, only that organisation's (found through the booking indexes, not by reading them all)."""
    yield from _recomputed_lines(session, period, buyer_id=buyer_id, provider_id=provider_id)
    yield from credit_lines(session, period, buyer_id=buyer_id, provider_id=provider_id)


def _recomputed_lines(session: Session, period: str, *, buyer_id: int | None, provider_id: int | None) -> Iterator[Line]:
    closed = closed_months(session, other_than=period)
    if not closed:
        return
    since = min(closed.values())
    if buyer_id is None and provider_id is None:
        records: Iterable[BillableBooking] = bookings_changed_since(session, since)
    else:
        records = _changed_of(session, since, buyer_id, provider_id)
    chunk: list[BillableBooking] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield from _corrections_for(session, period, closed, chunk)
            chunk = []
    if chunk:
        yield from _corrections_for(session, period, closed, chunk)


def _changed_of(session: Session, since: datetime, buyer_id: int | None, provider_id: int | None) -> Iterator[BillableBooking]:
    """bookings_changed_since, restricted to one buyer and/or provider."""
    stmt = select(Booking.id).join(Programme, Programme.id == Booking.programme_id).where(Booking.updated_at >= since)
    if buyer_id is not None:
        stmt = stmt.where(Booking.buyer_organisation_id == buyer_id)
    if provider_id is not None:
        stmt = stmt.where(Programme.organisation_id == provider_id)
    ids = sorted(session.execute(stmt).scalars())
    for start in range(0, len(ids), CHUNK):
        yield from bookings_by_ids(session, ids[start:start + CHUNK])


def billed_by_month(session: Session, booking_ids: list[int]) -> dict[tuple[int, str], tuple[int, int, object, object]]:
    """What was billed per (booking, month it is for): amount, days, first and last date. Credits
    of accepted disputes are not billing by the price and are left out, so a credit is never
    "corrected" back."""
    month = case((ChargeLine.kind == LineKind.CHARGE.value, ChargeLine.period), else_=ChargeLine.corrects_period)
    rows = session.execute(
        select(ChargeLine.booking_id, month, func.sum(ChargeLine.amount_ore), func.sum(ChargeLine.days),
               func.min(ChargeLine.from_date), func.max(ChargeLine.to_date))
        .where(ChargeLine.booking_id.in_(booking_ids), ChargeLine.kind != LineKind.CREDIT.value)
        .group_by(ChargeLine.booking_id, month)
    )
    return {(r[0], r[1]): (int(r[2] or 0), int(r[3] or 0), r[4], r[5]) for r in rows}


def _corrections_for(session: Session, period: str, closed: dict[str, datetime], records: list[BillableBooking]) -> Iterator[Line]:
    billed = billed_by_month(session, [r.booking_id for r in records])
    for record in records:
        first, last = period_of(record.start_date), period_of(record.end_date)
        for month in sorted(closed):
            # Changed before that month was closed: its close already priced this row.
            if record.updated_at is not None and record.updated_at < closed[month]:
                continue
            was = billed.get((record.booking_id, month))
            if was is None and not first <= month <= last:
                continue
            drafts = price_lines(record, month)
            should = sum(d.amount_ore for d in drafts)
            should_days = sum(d.days for d in drafts)
            was_amount, was_days, was_from, was_to = was or (0, 0, None, None)
            delta = should - was_amount
            if delta == 0:
                continue
            if drafts:
                from_date, to_date = drafts[0].from_date, drafts[-1].to_date
                now_text = drafts[0].rule
            else:
                from_date, to_date = was_from, was_to
                now_text = f"not billable now (status {record.status})"
            rule = (f"correction of {month}: now {money.format_amount(should)} ({now_text}) "
                    f"− billed {money.format_amount(was_amount)}")
            yield Line(
                period=period, kind=LineKind.CORRECTION.value, corrects_period=month, **booking_columns(record),
                from_date=from_date, to_date=to_date, days=should_days - was_days,
                unit_price_ore=record.price_ore, unit=record.price_unit, amount_ore=delta, rule=rule,
            )
