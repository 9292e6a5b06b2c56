"""Credit lines: accepted disputes' credits as the close writes them, exactly once.

Like corrections (billing.corrections), nothing is remembered about what was written: closing a
month compares, per booking and disputed month, the credits agreed by accepted disputes with the
credit lines already stored, and writes the difference as one line of kind 'credit' (negative,
corrects_period = the disputed month). Closes run one at a time under the close lock, each in
one transaction, and the unique key (booking, period, kind, corrects_period) refuses a second
line in the same month, so a credit is written once whatever closes run, retry or crash.

A credit waits until its disputed month is closed (or is the month being closed): a month's
file never credits a month that is still open.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from billing import money
from billing.disputes import notices
from billing.disputes.models import Decision, Dispute
from billing.lines import Line, booking_columns
from billing.models import BillingPeriod, ChargeLine, LineKind, PeriodStatus
from billing.periods import bounds
from billing.signals import month_closed
from marketplace import audit
from marketplace.bookings.public import bookings_by_ids

CHUNK = 500


def _pending(session: Session, period: str, buyer_id: int | None, provider_id: int | None):
    """(booking id, disputed month) -> accepted disputes' (id, credit) in order, for the months a
    close of `period` may credit."""
    closed = select(BillingPeriod.period).where(BillingPeriod.status == PeriodStatus.CLOSED.value)
    stmt = (select(Dispute.booking_id, Dispute.period, Dispute.id, Dispute.credit_ore)
            .where(Dispute.decision == Decision.ACCEPTED.value, Dispute.credit_ore > 0,
                   or_(Dispute.period == period, Dispute.period.in_(closed)))
            .order_by(Dispute.booking_id, Dispute.period, Dispute.id))
    if buyer_id is not None:
        stmt = stmt.where(Dispute.buyer_organisation_id == buyer_id)
    if provider_id is not None:
        stmt = stmt.where(Dispute.provider_organisation_id == provider_id)
    grouped: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for booking_id, month, dispute_id, credit in session.execute(stmt):
        grouped.setdefault((booking_id, month), []).append((dispute_id, int(credit)))
    return grouped


def _credited(session: Session, booking_ids: list[int]) -> dict[tuple[int, str], int]:
    """What stored credit lines already gave back, per (booking, disputed month), as a positive amount."""
    rows = session.execute(
        select(ChargeLine.booking_id, ChargeLine.corrects_period, func.sum(ChargeLine.amount_ore))
        .where(ChargeLine.booking_id.in_(booking_ids), ChargeLine.kind == LineKind.CREDIT.value)
        .group_by(ChargeLine.booking_id, ChargeLine.corrects_period))
    return {(booking_id, month): -int(total or 0) for booking_id, month, total in rows}


def credit_lines(session: Session, period: str, *, buyer_id: int | None = None,
                 provider_id: int | None = None) -> Iterator[Line]:
    """Yield the credit lines closing `period` would write (unsorted); with buyer_id or
    provider_id, only that organisation's."""
    pending = _pending(session, period, buyer_id, provider_id)
    keys = sorted(pending)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start:start + CHUNK]
        ids = sorted({booking_id for booking_id, _month in chunk})
        credited = _credited(session, ids)
        records = {record.booking_id: record for record in bookings_by_ids(session, ids)}
        for booking_id, month in chunk:
            yield from _line(period, month, records[booking_id], pending[(booking_id, month)],
                             credited.get((booking_id, month), 0))


def _line(period: str, month: str, record, disputes: list[tuple[int, int]], credited: int) -> Iterator[Line]:
    covered, waiting = 0, []
    for dispute_id, credit in disputes:
        covered += credit
        if covered > credited:
            waiting.append((dispute_id, credit))
    amount = sum(credit for _id, credit in waiting)
    if amount <= 0:
        return
    first, last = bounds(month)
    from_date, to_date = max(first, record.start_date), min(last, record.end_date)
    if from_date > to_date:  # the booking no longer reaches into the month
        from_date, to_date = first, last
    names = ", ".join(f"#{dispute_id}" for dispute_id, _credit in waiting)
    yield Line(
        period=period, kind=LineKind.CREDIT.value, corrects_period=month, **booking_columns(record),
        from_date=from_date, to_date=to_date, days=0, unit_price_ore=record.price_ore, unit=record.price_unit,
        amount_ore=-amount, rule=f"credit of {month}: dispute {names} accepted, {money.format_amount(-amount)}",
    )


def record_written(session: Session, period: str, *, now: datetime) -> int:
    """After `period` is closed (in its transaction): audit each credit line it wrote and tell both
    sides of the disputes it covers. Returns how many credit lines there were."""
    lines = session.execute(select(ChargeLine.id, ChargeLine.booking_id, ChargeLine.booking_ref,
                                   ChargeLine.corrects_period, ChargeLine.amount_ore)
                            .where(ChargeLine.period == period, ChargeLine.kind == LineKind.CREDIT.value)
                            .order_by(ChargeLine.id)).all()
    for line_id, booking_id, ref, month, amount in lines:
        before = -int(session.execute(
            select(func.coalesce(func.sum(ChargeLine.amount_ore), 0))
            .where(ChargeLine.booking_id == booking_id, ChargeLine.kind == LineKind.CREDIT.value,
                   ChargeLine.corrects_period == month, ChargeLine.id < line_id)).scalar_one())
        covered, disputes = 0, []
        for dispute in session.execute(
                select(Dispute).where(Dispute.booking_id == booking_id, Dispute.period == month,
                                      Dispute.decision == Decision.ACCEPTED.value, Dispute.credit_ore > 0)
                .order_by(Dispute.id)).scalars():
            covered += dispute.credit_ore
            if before < covered <= before - amount:
                disputes.append(dispute)
        audit.record(session, actor=None, action="billing.dispute_credit", object_type="billing_period",
                     object_id=period, now=now,
                     details={"booking_ref": ref, "correction_of": month, "amount_ore": amount,
                              "disputes": [d.id for d in disputes]})
        for dispute in disputes:
            notices.credited(session, dispute, period, now=now)
    return len(lines)


@month_closed.connect
def _on_month_closed(result, *, session: Session, now: datetime, **_kwargs) -> None:
    record_written(session, result.period, now=now)
