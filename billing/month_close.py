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

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from billing import accounting_codes, dimensions
from billing.corrections import correction_lines
from billing.lines import Line, PairTotal, booking_columns
from billing.models import BillingPeriod, ChargeLine, LineKind, PeriodStatus
from billing.periods import bounds, has_ended, parse_period, period_of, periods_between
from billing.pricing import charge, price_lines
from catalog.models import Organisation, Programme
from marketplace import audit
from marketplace.auth.policy import Actor
from marketplace.bookings.public import BILLABLE_STATUSES, BillableBooking, billable_bookings, bookings_by_ids
from marketplace.bookings.public import Booking
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import is_sqlite
from marketplace.kernel.errors import Conflict

BATCH = 5000
_TABLE = ChargeLine.__table__


@dataclass(frozen=True)
class CloseResult:
    period: str
    closed_now: bool  # False: it was closed already and nothing was written
    closed_at: datetime
    line_count: int
    total_ore: int
    # Programmes billed under their organisation's default activity code (or none): to be fixed.
    without_own_activity_code: tuple[dimensions.ProgrammeCode, ...] = ()


def _charge_line(record: BillableBooking, draft, period: str) -> Line:
    return Line(
        period=period, kind=LineKind.CHARGE.value, corrects_period="", **booking_columns(record),
        from_date=draft.from_date, to_date=draft.to_date, days=draft.days,
        unit_price_ore=draft.unit_price_ore, unit=draft.unit, amount_ore=draft.amount_ore, rule=draft.rule,
    )


def compute_lines(session: Session, period: str) -> Iterator[Line]:
    """Every line closing `period` would write now: the month's charges, then corrections (unsorted)."""
    first, last = bounds(period)
    for record in billable_bookings(session, first, last):
        for draft in price_lines(record, period):
            yield _charge_line(record, draft, period)
    yield from correction_lines(session, period)


def _overlapping(first: date, last: date):
    """Bookings overlapping [first, last] whose buyer is not the provider, with the provider's id.

    A superset of billable_bookings' rows for the month (status is left to the caller or to
    BillableBooking.is_billable), so the planner can use the (programme, end date) index.
    """
    return (select(Booking.id, Booking.buyer_organisation_id, Programme.organisation_id, Booking.start_date,
                   Booking.end_date, Booking.price_ore, Booking.price_unit, Booking.status)
            .join(Programme, Programme.id == Booking.programme_id)
            .where(Booking.end_date >= first, Booking.start_date <= last,
                   Booking.buyer_organisation_id != Programme.organisation_id))


def compute_pair_lines(session: Session, period: str, *, buyer_id: int | None = None,
                       provider_id: int | None = None) -> list[Line]:
    """The lines closing `period` would write for one buyer, one provider or one pair (unsorted):
    compute_lines restricted to those bookings, priced by the same code, without reading the month."""
    if buyer_id is None and provider_id is None:
        raise ValueError("name a buyer, a provider or both")
    first, last = bounds(period)
    query = _overlapping(first, last).with_only_columns(Booking.id)
    if buyer_id is not None:
        query = query.where(Booking.buyer_organisation_id == buyer_id)
    if provider_id is not None:
        query = query.where(Programme.organisation_id == provider_id)
    ids = list(session.execute(query).scalars())
    lines = []
    for start in range(0, len(ids), 1000):
        for record in bookings_by_ids(session, ids[start:start + 1000]):
            lines.extend(_charge_line(record, draft, period) for draft in price_lines(record, period))
    lines.extend(correction_lines(session, period, buyer_id=buyer_id, provider_id=provider_id))
    return lines


def preview_pair_totals(session: Session, period: str) -> list[PairTotal]:
    """Totals per buyer–provider pair that closing `period` now would write, without building
    the lines: each booking is priced by pricing.charge (the rule price_lines uses), so every
    total is the sum of the rounded lines; corrections are computed in full (few)."""
    first, last = bounds(period)
    acc: dict[tuple[int, int], list[int]] = {}
    with session.connection().execute(_overlapping(first, last).execution_options(yield_per=5000)) as rows:
        for _id, buyer_id, provider_id, start, end, price_ore, unit, status in rows:
            if status not in BILLABLE_STATUSES:
                continue
            charged = charge(start, end, price_ore, unit, period)
            if charged is None:
                continue
            entry = acc.get((buyer_id, provider_id))
            if entry is None:
                entry = acc[(buyer_id, provider_id)] = [0, 0]
            entry[0] += charged[3]
            entry[1] += 1
    for line in correction_lines(session, period):
        entry = acc.setdefault((line.buyer_organisation_id, line.provider_organisation_id), [0, 0])
        entry[0] += line.amount_ore
        entry[1] += 1
    names = {row.id: (row.code, row.name) for row in session.execute(select(Organisation.id, Organisation.code, Organisation.name))}
    totals = [PairTotal(names[b][0], names[b][1], names[p][0], names[p][1], amount, count)
              for (b, p), (amount, count) in acc.items()]
    return sorted(totals, key=lambda t: (t.buyer_code, t.provider_code))


def preview_month_totals(session: Session, periods: list[str]) -> dict[str, tuple[int, int]]:
    """(total, line count) that closing each of `periods` now would write, in one pass over the
    bookings overlapping them: the same rule and rounding as preview_pair_totals, without pairs."""
    if not periods:
        return {}
    wanted = set(periods)
    low, high = min(periods), max(periods)
    acc = {period: [0, 0] for period in periods}
    with session.connection().execute(
            _overlapping(bounds(low)[0], bounds(high)[1]).execution_options(yield_per=5000)) as rows:
        for _id, _buyer_id, _provider_id, start, end, price_ore, unit, status in rows:
            if status not in BILLABLE_STATUSES:
                continue
            for period in periods_between(max(period_of(start), low), min(period_of(end), high)):
                if period not in wanted:
                    continue
                charged = charge(start, end, price_ore, unit, period)
                if charged is not None:
                    acc[period][0] += charged[3]
                    acc[period][1] += 1
    for period in periods:
        for line in correction_lines(session, period):
            acc[period][0] += line.amount_ore
            acc[period][1] += 1
    return {period: (amount, count) for period, (amount, count) in acc.items()}


def check_codes(organisation_code: str, cost_centre: str, account: str) -> None:
    """Refuse to close with an organisation whose codes are missing or malformed (409).

    `account` is the buyer's cost account or the provider's revenue account.
    """
    for problem in (accounting_codes.account_error(account), accounting_codes.cost_centre_error(cost_centre)):
        if problem:
            message = f"Organisation {organisation_code} has invalid accounting codes: {problem} An admin must correct them first."
            raise Conflict(message, code="invalid_accounting_codes", organisation=organisation_code)


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
        return CloseResult(period, False, existing.closed_at, existing.line_count, existing.total_ore,
                           tuple(dimensions.fallbacks(session, period)))
    if not has_ended(period, _local_today(now)):
        raise Conflict(f"The month {period} has not ended yet; it can be closed from the first day of the next month.",
                       code="period_not_over", period=period)

    count = total = 0
    batch: list[dict] = []
    checked: set[tuple[str, str, str]] = set()
    programmes: set[str] = set()  # whose activity codes the month freezes
    for line in compute_lines(session, period):
        # Each organisation's codes once, as buyer and as provider: a month has few organisations
        # but up to organisations² pairs.
        for codes in ((line.buyer_code, line.buyer_cost_centre, line.buyer_cost_account),
                      (line.provider_code, line.provider_cost_centre, line.provider_revenue_account)):
            if codes not in checked:
                check_codes(*codes)
                checked.add(codes)
        programmes.add(line.programme_code)
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
    without_own = dimensions.freeze(session, period, programmes)
    audit.record(session, actor=actor, action="billing.close", object_type="billing_period", object_id=period,
                 now=now, ip=ip, details={"lines": count, "total_ore": total,
                                          "without_own_activity_code": [p.programme_code for p in without_own]})
    return CloseResult(period, True, now, count, total, tuple(without_own))
