"""Months closed in any order, with price changes, early ends and cancellations (corrections) and
disputes raised, accepted with credits or rejected in between, also after a credit was agreed or
written: after every close, no booking's month adds up to less than zero; once every month is
closed and a later one too, each booking's lines for each month (charge, corrections and credits)
add up to its price now less the credits agreed, at most that price, and the credit lines never
exceed the credits agreed. No öre lost, none given back twice (hypothesis)."""

from __future__ import annotations

import itertools
import os
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st
from sqlalchemy import func, select

from billing.disputes import service
from billing.disputes.models import Dispute
from billing.models import BillingPeriod, ChargeLine
from billing.month_close import close_month
from billing.pricing import price_lines
from marketplace.auth.policy import Actor
from marketplace.bookings.public import get_booking_record
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from tests.billing._factories import change_booking, make_booking, make_programme
from tests.factories import make_user

_years = itertools.count(2030)
EXAMPLES = int(os.environ.get("INSATSTORGET_DISPUTE_EXAMPLES", "20"))

operation = st.one_of(
    st.tuples(st.just("close"), st.integers(0, 2)),
    st.tuples(st.just("price"), st.integers(0, 1), st.integers(1, 9_000_00)),
    st.tuples(st.just("end"), st.integers(0, 1), st.integers(0, 2), st.integers(1, 28)),
    st.tuples(st.just("cancel"), st.integers(0, 1)),
    st.tuples(st.just("raise"), st.integers(0, 1), st.integers(0, 2)),
    st.tuples(st.just("resolve"), st.booleans(), st.integers(0, 100)),
)


def _month_sums(db, booking_id: int, month: str) -> tuple[int, int]:
    """(charge and corrections, credits as a positive amount) stored for one booking and month."""
    of_month = ((ChargeLine.kind == "charge") & (ChargeLine.period == month)) | (ChargeLine.corrects_period == month)
    billed = db.execute(select(func.coalesce(func.sum(ChargeLine.amount_ore), 0)).where(
        ChargeLine.booking_id == booking_id, ChargeLine.kind != "credit", of_month)).scalar_one()
    credited = -db.execute(select(func.coalesce(func.sum(ChargeLine.amount_ore), 0)).where(
        ChargeLine.booking_id == booking_id, ChargeLine.kind == "credit", ChargeLine.corrects_period == month)).scalar_one()
    return billed, credited


def _left(db, dispute) -> int:
    """The most a credit may be now: the month's cost by the price rules, or what was billed for a
    closed month if less, less the credits already agreed (what resolving promises to give in full)."""
    record = get_booking_record(db, booking_id=dispute.booking_id)
    should = sum(d.amount_ore for d in price_lines(record, dispute.period))
    closed = db.get(BillingPeriod, dispute.period) is not None
    billed = _month_sums(db, dispute.booking_id, dispute.period)[0] if closed else should
    return max(min(billed, should) - service.accepted_credit_ore(db, dispute.booking_id, dispute.period), 0)


def _actor(user, code: str) -> Actor:
    return Actor(user.id, user.name, user.email, user.organisation_id, code, frozenset(user.roles.split()), code)


@pytest.fixture
def sides(db):
    return (_actor(make_user(db, organisation="RK", roles=["district_finance"], email="ekonom.rk@test.se"), "RK"),
            _actor(make_user(db, organisation="AMF", roles=["district_finance"], email="ekonom.amf@test.se"), "AMF"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, max_size=14))
# A credit written, then a price change of the same booking and month: the correction must not take the credit back.
@example(ops=[("close", 0), ("raise", 0, 0), ("resolve", True, 50), ("close", 1), ("price", 0, 400_000), ("close", 2)])
# Accepted before its month is closed, then the month closed late, after a later one.
@example(ops=[("raise", 1, 1), ("resolve", True, 100), ("close", 2), ("end", 1, 1, 3), ("close", 1)])
# A credit written, then the booking cancelled: the correction takes back only what is left, not the credit again.
@example(ops=[("close", 0), ("raise", 0, 0), ("resolve", True, 60), ("close", 1), ("cancel", 0), ("close", 2)])
# A credit agreed but not yet written when the booking is cancelled: no credit for a month that now costs nothing.
@example(ops=[("close", 0), ("raise", 0, 0), ("resolve", True, 100), ("cancel", 0), ("close", 1)])
# A credit written, the price lowered below it, then raised again: the month is billed again, less the credit.
@example(ops=[("close", 0), ("raise", 0, 0), ("resolve", True, 80), ("close", 1), ("price", 0, 100_000),
              ("close", 2), ("price", 0, 450_000)])
# Agreed for an open month, which then ends earlier; then a second dispute of the same month.
@example(ops=[("raise", 1, 1), ("resolve", True, 100), ("end", 1, 1, 3), ("close", 1), ("raise", 1, 1),
              ("resolve", True, 100)])
def test_no_ore_is_lost_or_doubled_whatever_the_order(db, sides, ops):
    buyer, provider = sides
    year = next(_years)
    months = [f"{year}-0{m}" for m in (1, 2, 3)]
    clock = [datetime(year + 1, 1, 1, 8, tzinfo=timezone.utc)]

    def tick() -> datetime:
        clock[0] += timedelta(minutes=5)
        return clock[0]

    bookings = [
        make_booking(db, make_programme(db, price_ore=450_000), start=date(year, 1, 10), end=date(year, 4, 20)),
        make_booking(db, make_programme(db, price_ore=123_45, price_unit="day"), start=date(year, 1, 25),
                     end=date(year, 3, 5)),
    ]

    def close(period: str) -> None:
        with transaction(db, write_lock=True):
            close_month(db, period, actor=None, now=tick())
        for booking in bookings:  # whatever was closed, credited or corrected so far: never below zero
            for month in months:
                billed, credited = _month_sums(db, booking.id, month)
                assert billed - credited >= 0, (booking.ref, month, billed, credited, ops)

    for op in ops:
        kind = op[0]
        try:
            if kind == "close":
                close(months[op[1]])
            elif kind == "price":
                change_booking(db, bookings[op[1]], at=tick(), price_ore=op[2])
            elif kind == "end":
                booking = bookings[op[1]]
                end = max(date(year, op[2] + 1, op[3]), booking.start_date)
                change_booking(db, booking, at=tick(), status="ended", end_date=end)
            elif kind == "cancel":
                change_booking(db, bookings[op[1]], at=tick(), status="cancelled")
            elif kind == "raise":
                now = tick()
                with transaction(db, write_lock=True):
                    service.raise_dispute(db, actor=buyer, booking_ref=bookings[op[1]].ref, period=months[op[2]],
                                          reason="Fel", now=now, today=now.date())
            elif kind == "resolve":
                dispute = db.execute(select(Dispute).where(Dispute.status == "open",
                                                           Dispute.booking_id.in_([b.id for b in bookings]))
                                     .order_by(Dispute.id)).scalars().first()
                if dispute is None:
                    continue
                left = _left(db, dispute)
                credit = left * op[2] // 100 if op[1] else 0
                if op[1] and left:  # one öre more than is left is refused at once and changes nothing
                    with pytest.raises(DomainError, match="larger than what is left"):
                        service.resolve_dispute(db, dispute, actor=provider, decision="accepted", note="",
                                                credit=f"{(left + 1) // 100}.{(left + 1) % 100:02d}", now=tick())
                    db.rollback()
                try:
                    with transaction(db, write_lock=True):  # up to what is left is accepted
                        service.resolve_dispute(db, dispute, actor=provider, note="",
                                                decision="accepted" if op[1] else "rejected",
                                                credit=f"{credit // 100}.{credit % 100:02d}" if credit else None,
                                                now=tick())
                except DomainError as refused:
                    raise AssertionError(f"a credit of {credit} with {left} left was refused: {refused}") from refused
        except DomainError:
            db.rollback()  # refused (no line that month, already open, ...): changes nothing

    for period in months + [f"{year}-04"]:
        close(period)
    close(f"{year}-05")  # a later month: whatever the last close left for corrections or credits is written now
    db.rollback()

    ids = [b.id for b in bookings]
    for booking in bookings:
        record = get_booking_record(db, booking_id=booking.id)
        for month in months:
            should = sum(d.amount_ore for d in price_lines(record, month))
            agreed = service.accepted_credit_ore(db, booking.id, month)
            billed, credited = _month_sums(db, booking.id, month)
            # The month costs its price now less the credits agreed, never less than nothing ...
            assert billed - credited == should - min(agreed, should), (booking.ref, month, billed, credited, ops)
            # ... and no credit line gives back more than was agreed.
            assert 0 <= credited <= agreed, (booking.ref, month, ops)
    # A credit line is written only once the month it credits was closed (or by that month's own close).
    for written, closed in db.execute(
            select(ChargeLine.created_at, BillingPeriod.closed_at)
            .join(BillingPeriod, BillingPeriod.period == ChargeLine.corrects_period)
            .where(ChargeLine.booking_id.in_(ids), ChargeLine.kind == "credit")):
        assert closed <= written
    # Once per (booking, month, kind, corrected month): the unique key held.
    keys = db.execute(select(ChargeLine.booking_id, ChargeLine.period, ChargeLine.kind, ChargeLine.corrects_period)
                      .where(ChargeLine.booking_id.in_(ids))).all()
    assert len(keys) == len(set(keys))
