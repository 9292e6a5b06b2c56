"""Credit lines: accepted disputes' credits as the close writes them, exactly once.

Like corrections (billing.corrections), nothing is remembered about what was written: closing a
month compares, per booking and disputed month, the credits agreed by accepted disputes with the
credit lines already stored, and writes the difference as one line of kind 'credit' (negative,
corrects_period = the disputed month). Closes run one at a time under the close lock, each in
one transaction, and the unique key (booking, period, kind, corrects_period) refuses a second
line in the same month, so a credit is written once whatever closes run, retry or crash.

A credit gives back at most what the month costs now (billing.settlement): the amount is
settled together with the month's correction by billing.corrections, which builds the lines
with credit_line. A credit line covers the agreed credits in the order they were accepted.

A credit waits until its disputed month is closed (or is the month being closed): a month's
file never credits a month that is still open.
"""

from __future__ import annotations

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


def pending_credits(session: Session, period: str, *, buyer_id: int | None = None,
                    provider_id: int | None = None) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """(booking id, disputed month) -> accepted disputes' (id, credit) in order, for the months a
    close of `period` may credit (closed, or `period` itself)."""
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


def credited_by_month(session: Session, booking_ids: list[int]) -> dict[tuple[int, str], int]:
    """What stored credit lines already gave back, per (booking, disputed month), as a positive amount."""
    rows = session.execute(
        select(ChargeLine.booking_id, ChargeLine.corrects_period, func.sum(ChargeLine.amount_ore))
        .where(ChargeLine.booking_id.in_(booking_ids), ChargeLine.kind == LineKind.CREDIT.value)
        .group_by(ChargeLine.booking_id, ChargeLine.corrects_period))
    return {(booking_id, month): -int(total or 0) for booking_id, month, total in rows}


def covered(disputes: list[tuple[int, int]], before: int, amount: int) -> list[int]:
    """The ids of the disputes (id, credit, in order) that a credit line of `amount` (positive)
    gives back, after credit lines that gave back `before`: each credit in turn, wholly or in part."""
    ids, start = [], 0
    for dispute_id, credit in disputes:
        if start < before + amount and start + credit > before:
            ids.append(dispute_id)
        start += credit
    return ids


def credit_line(period: str, month: str, record, disputes: list[tuple[int, int]], *, credited: int, amount: int,
                should: int) -> Line:
    """The credit line closing `period` writes for `record`'s `month`: `amount` (positive) given
    back after `credited`; `should` is what the month costs now, named when it caps the credit."""
    first, last = bounds(month)
    from_date, to_date = max(first, record.start_date), min(last, record.end_date)
    if from_date > to_date:  # the booking no longer reaches into the month
        from_date, to_date = first, last
    names = ", ".join(f"#{dispute_id}" for dispute_id in covered(disputes, credited, amount))
    rule = f"credit of {month}: dispute {names} accepted, {money.format_amount(-amount)}"
    if credited + amount < sum(credit for _id, credit in disputes):
        rule += f", at most what {month} costs now ({money.format_amount(should)})"
    return Line(
        period=period, kind=LineKind.CREDIT.value, corrects_period=month, **booking_columns(record),
        from_date=from_date, to_date=to_date, days=0, unit_price_ore=record.price_ore, unit=record.price_unit,
        amount_ore=-amount, rule=rule,
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
        accepted = list(session.execute(
            select(Dispute).where(Dispute.booking_id == booking_id, Dispute.period == month,
                                  Dispute.decision == Decision.ACCEPTED.value, Dispute.credit_ore > 0)
            .order_by(Dispute.id)).scalars())
        ids = set(covered([(d.id, d.credit_ore) for d in accepted], before, -amount))
        disputes = [d for d in accepted if d.id in ids]
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
