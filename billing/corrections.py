"""Corrections: closed months recomputed from the booking rows as they are now.

DESIGN.md: a closed month never changes; a later change that affects it (an earlier end,
a cancellation, a corrected price) becomes a correction line, positive or negative, in the
next month to be closed, naming the month it corrects. Accepted disputes' credits follow the
same path (billing.disputes.credits) and are settled here together with the corrections, by
one rule (billing.settlement): a credit gives back at most what the month costs now, and a
correction counts the credits already given, so no booking's month ever comes to less than
zero and no öre is given back twice. Nothing here writes: month_close stores what this yields.
A closed month can only be wrong for a booking whose row changed after that month was closed,
so only those bookings (Booking.updated_at ≥ closed_at), and those with accepted credits, are
settled; for a changed one every closed month is compared in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from billing import money
from billing.disputes.credits import credit_line, credited_by_month, pending_credits
from billing.lines import Line, booking_columns
from billing.models import BillingPeriod, ChargeLine, LineKind, PeriodStatus
from billing.periods import period_of
from billing.pricing import price_lines
from billing.settlement import settle
from catalog.models import Programme
from marketplace.bookings.public import BillableBooking, bookings_by_ids, bookings_changed_since
from marketplace.bookings.public import Booking

CHUNK = 500


def cost_now(session: Session, record: BillableBooking, month: str) -> tuple[int, int]:
    """(should, billed) for `record`'s `month` as the next close settles it (billing.settlement):
    what it costs now by the price rules (what it was billed, for a closed month the row has not
    changed since), and its stored charge and corrections (for an open month: the charge to come)."""
    closed_at = closed_months(session).get(month)
    if closed_at is None:
        should = sum(d.amount_ore for d in price_lines(record, month))
        return should, should
    was = billed_by_month(session, [record.booking_id]).get((record.booking_id, month), (0, 0, None, None))[0]
    if not _changed_after(record, closed_at):
        return was, was
    return sum(d.amount_ore for d in price_lines(record, month)), was


def closed_months(session: Session, *, other_than: str | None = None) -> dict[str, datetime]:
    """Closed months and when each was closed."""
    stmt = select(BillingPeriod.period, BillingPeriod.closed_at).where(BillingPeriod.status == PeriodStatus.CLOSED.value)
    if other_than:
        stmt = stmt.where(BillingPeriod.period != other_than)
    return {period: closed_at for period, closed_at in session.execute(stmt)}


def correction_lines(session: Session, period: str, *, buyer_id: int | None = None,
                     provider_id: int | None = None) -> Iterator[Line]:
    """Yield every line closing `period` would write besides the month's own charges (unsorted):
    corrections and accepted disputes' credits, settled together (billing.settlement); with
    buyer_id or provider_id, only that organisation's (found through the booking indexes, not by
    reading them all)."""
    closed = closed_months(session, other_than=period)
    credits: dict[int, dict[str, list[tuple[int, int]]]] = {}
    for (booking_id, month), disputes in pending_credits(session, period, buyer_id=buyer_id,
                                                         provider_id=provider_id).items():
        credits.setdefault(booking_id, {})[month] = disputes
    if closed:
        since = min(closed.values())
        if buyer_id is None and provider_id is None:
            records: Iterable[BillableBooking] = bookings_changed_since(session, since)
        else:
            records = _changed_of(session, since, buyer_id, provider_id)
        chunk: list[BillableBooking] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= CHUNK:
                yield from _settled(session, period, closed, chunk, credits)
                chunk = []
        if chunk:
            yield from _settled(session, period, closed, chunk, credits)
    rest = sorted(credits)  # credited bookings that did not change: their credits alone
    for start in range(0, len(rest), CHUNK):
        yield from _settled(session, period, closed, bookings_by_ids(session, rest[start:start + CHUNK]), credits)


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
    of accepted disputes are not billing by the price and are left out; the settlement counts
    them apart (billing.settlement), so a correction never takes a credit back."""
    month = case((ChargeLine.kind == LineKind.CHARGE.value, ChargeLine.period), else_=ChargeLine.corrects_period)
    rows = session.execute(
        select(ChargeLine.booking_id, month, func.sum(ChargeLine.amount_ore), func.sum(ChargeLine.days),
               func.min(ChargeLine.from_date), func.max(ChargeLine.to_date))
        .where(ChargeLine.booking_id.in_(booking_ids), ChargeLine.kind != LineKind.CREDIT.value)
        .group_by(ChargeLine.booking_id, month)
    )
    return {(r[0], r[1]): (int(r[2] or 0), int(r[3] or 0), r[4], r[5]) for r in rows}


def _changed_after(record: BillableBooking, closed_at: datetime) -> bool:
    """Whether the row changed after a month was closed (before: that close already priced it)."""
    return record.updated_at is None or record.updated_at >= closed_at


def _settled(session: Session, period: str, closed: dict[str, datetime], records: list[BillableBooking],
             credits: dict[int, dict[str, list[tuple[int, int]]]]) -> Iterator[Line]:
    """The correction and credit lines of these bookings (takes their entries out of `credits`)."""
    ids = [r.booking_id for r in records]
    billed = billed_by_month(session, ids)
    credited = credited_by_month(session, ids)
    for record in records:
        disputed = credits.pop(record.booking_id, {})
        first, last = period_of(record.start_date), period_of(record.end_date)
        months = set(disputed)
        for month, closed_at in closed.items():
            if _changed_after(record, closed_at) and (
                    (record.booking_id, month) in billed or first <= month <= last):
                months.add(month)
        for month in sorted(months):
            yield from _settle_month(period, month, closed.get(month), record, billed.get((record.booking_id, month)),
                                     credited.get((record.booking_id, month), 0), disputed.get(month, []))


def _settle_month(period: str, month: str, closed_at: datetime | None, record: BillableBooking, was,
                  credited: int, disputes: list[tuple[int, int]]) -> Iterator[Line]:
    """Settle one booking's month (billing.settlement). `month` is a closed month, or `period`
    itself (closed_at None: its charge is written by this close, so only a credit can follow)."""
    was_amount, was_days, was_from, was_to = was or (0, 0, None, None)
    repriced = closed_at is None or _changed_after(record, closed_at)
    drafts = price_lines(record, month) if repriced else []
    should = sum(d.amount_ore for d in drafts) if repriced else was_amount
    billed = should if closed_at is None else was_amount
    agreed = sum(credit for _id, credit in disputes)
    settled = settle(should=should, billed=billed, credited=credited, agreed=agreed)
    if settled.credit_ore:
        yield credit_line(period, month, record, disputes, credited=credited, amount=settled.credit_ore, should=should)
    if closed_at is None or settled.correction_ore == 0:
        return
    should_days = sum(d.days for d in drafts) if repriced else was_days
    if drafts:
        from_date, to_date = drafts[0].from_date, drafts[-1].to_date
        now_text = drafts[0].rule
    elif repriced:
        from_date, to_date = was_from, was_to
        now_text = f"not billable now (status {record.status})"
    else:
        from_date, to_date = was_from, was_to
        now_text = "as billed"
    rule = f"correction of {month}: now {money.format_amount(should)} ({now_text})"
    if settled.credited_ore:
        given = money.format_amount(settled.credited_ore)
        rule += (f" less {given} credited, at least 0: {money.format_amount(settled.net_ore)}"
                 f" − billed {money.format_amount(was_amount)} less {given} credited")
    else:
        rule += f" − billed {money.format_amount(was_amount)}"
    yield Line(
        period=period, kind=LineKind.CORRECTION.value, corrects_period=month, **booking_columns(record),
        from_date=from_date, to_date=to_date, days=should_days - was_days,
        unit_price_ore=record.price_ore, unit=record.price_unit, amount_ore=settled.correction_ore, rule=rule,
    )
