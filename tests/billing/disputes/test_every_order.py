"""Months closed in any order, with price changes, early ends and cancellations (corrections) and
disputes raised, accepted with credits or rejected in between: once every month is closed and a
later one too, each booking's lines for each month add up to its price now, and the credit lines
to exactly the credits agreed. No öre lost, none doubled (hypothesis)."""

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
                record = get_booking_record(db, booking_id=dispute.booking_id)
                left = (service.charged_ore(db, record, dispute.period) or 0) - service.accepted_credit_ore(
                    db, dispute.booking_id, dispute.period)
                credit = max(left, 0) * op[2] // 100 if op[1] else 0
                with transaction(db, write_lock=True):
                    service.resolve_dispute(db, dispute, actor=provider, decision="accepted" if op[1] else "rejected",
                                            note="", credit=f"{credit // 100}.{credit % 100:02d}" if credit else None,
                                            now=tick())
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
            billed = db.execute(select(func.coalesce(func.sum(ChargeLine.amount_ore), 0)).where(
                ChargeLine.booking_id == booking.id, ChargeLine.kind != "credit",
                ((ChargeLine.kind == "charge") & (ChargeLine.period == month)) | (ChargeLine.corrects_period == month),
            )).scalar_one()
            assert billed == sum(d.amount_ore for d in price_lines(record, month)), (booking.ref, month, ops)
            credited = -db.execute(select(func.coalesce(func.sum(ChargeLine.amount_ore), 0)).where(
                ChargeLine.booking_id == booking.id, ChargeLine.kind == "credit", ChargeLine.corrects_period == month,
            )).scalar_one()
            assert credited == service.accepted_credit_ore(db, booking.id, month), (booking.ref, month, ops)
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
