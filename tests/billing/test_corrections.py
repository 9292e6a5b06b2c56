import random
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import select

from billing.corrections import correction_lines
from billing.models import ChargeLine
from billing.periods import bounds, next_period
from billing.price_corrections import correct_booking_price
from billing.pricing import price_lines
from marketplace.audit.models import AuditLog
from marketplace.auth.policy import Actor
from marketplace.bookings.billable import get_booking_record
from marketplace.bookings.models import BookingEvent
from marketplace.kernel.db import transaction
from tests.billing._factories import change_booking, make_booking, make_programme


def _at(period: str, day: int = 3) -> datetime:
    """A moment early in the month after `period` (when it may be closed)."""
    first = bounds(next_period(period))[0]
    return datetime(first.year, first.month, day, 7, 0, tzinfo=timezone.utc)


def _lines(db, period, kind=None):
    stmt = select(ChargeLine).where(ChargeLine.period == period)
    if kind:
        stmt = stmt.where(ChargeLine.kind == kind)
    return list(db.execute(stmt.order_by(ChargeLine.id)).scalars())


def _snapshot(db, period):
    return [(l.booking_id, l.kind, l.corrects_period, l.amount_ore, l.days, l.from_date, l.to_date) for l in _lines(db, period)]


def test_an_earlier_end_becomes_a_negative_correction_in_the_next_month_closed(db, close):
    booking = make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 4, 30))
    close("2026-03", _at("2026-03"))
    march_before = _snapshot(db, "2026-03")
    change_booking(db, booking, at=_at("2026-03", 10), status="ended", end_date=date(2026, 3, 15))

    close("2026-04", _at("2026-04"))

    assert _snapshot(db, "2026-03") == march_before  # a closed month never changes
    [correction] = _lines(db, "2026-04", "correction")
    assert correction.corrects_period == "2026-03"
    assert correction.amount_ore == 217742 - 450000  # now 15/31 of the price, billed the whole
    assert correction.days == 15 - 31
    assert "correction of 2026-03" in correction.rule
    assert _lines(db, "2026-04", "charge") == []  # the booking ended in March


def test_a_late_cancellation_refunds_exactly_what_was_billed(db, close):
    booking = make_booking(db, make_programme(db, price_ore=123_45, price_unit="day"), start=date(2026, 3, 20), end=date(2026, 4, 30))
    close("2026-03", _at("2026-03"))
    billed = sum(l.amount_ore for l in _lines(db, "2026-03"))
    change_booking(db, booking, at=_at("2026-03", 4), status="cancelled")
    close("2026-04", _at("2026-04"))
    [correction] = _lines(db, "2026-04")
    assert correction.amount_ore == -billed and correction.kind == "correction"
    assert (correction.from_date, correction.to_date) == (date(2026, 3, 20), date(2026, 3, 31))
    assert "not billable now (status cancelled)" in correction.rule


def test_a_corrected_price_is_audited_and_becomes_a_correction_for_every_closed_month(db, close, finance_user):
    booking = make_booking(db, make_programme(db), start=date(2026, 2, 1), end=date(2026, 4, 30))
    close("2026-02", _at("2026-02"))
    close("2026-03", _at("2026-03"))
    actor = Actor(finance_user.id, finance_user.name, finance_user.email, finance_user.organisation_id, "AMF", frozenset({"finance"}), "Arbetsmarknadsförvaltningen")
    with transaction(db):
        correct_booking_price(db, booking.id, 400_000, actor=actor, now=_at("2026-03", 5), reason="Avtalat pris")

    close("2026-04", _at("2026-04"))

    corrections = {l.corrects_period: l.amount_ore for l in _lines(db, "2026-04", "correction")}
    assert corrections == {"2026-02": -50_000, "2026-03": -50_000}
    assert [l.amount_ore for l in _lines(db, "2026-04", "charge")] == [400_000]
    event = db.execute(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).scalar_one()
    assert "4500.00 to 4000.00" in event.note and "Avtalat pris" in event.note
    audit = db.execute(select(AuditLog).where(AuditLog.action == "booking.correct_price")).scalar_one()
    assert audit.details == {"from_ore": 450_000, "to_ore": 400_000}


def test_a_later_end_becomes_a_positive_correction(db, close):
    booking = make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 3, 10))
    close("2026-03", _at("2026-03"))
    change_booking(db, booking, at=_at("2026-03", 6), end_date=date(2026, 3, 31))
    close("2026-04", _at("2026-04"))
    [correction] = _lines(db, "2026-04")
    assert correction.amount_ore == 450_000 - 145_161 and correction.amount_ore > 0


def test_a_change_that_is_undone_before_the_next_close_leaves_no_correction(db, close):
    booking = make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 4, 30))
    close("2026-03", _at("2026-03"))
    change_booking(db, booking, at=_at("2026-03", 5), end_date=date(2026, 3, 5))
    change_booking(db, booking, at=_at("2026-03", 6), end_date=date(2026, 4, 30))
    close("2026-04", _at("2026-04"))
    assert [l.kind for l in _lines(db, "2026-04")] == ["charge"]


def test_a_second_change_is_corrected_against_what_the_first_correction_already_billed(db, close):
    booking = make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 5, 31))
    close("2026-03", _at("2026-03"))
    change_booking(db, booking, at=_at("2026-03", 5), end_date=date(2026, 3, 20))
    close("2026-04", _at("2026-04"))
    change_booking(db, booking, at=_at("2026-04", 5), end_date=date(2026, 3, 10))
    close("2026-05", _at("2026-05"))
    billed_for_march = sum(l.amount_ore for l in db.execute(select(ChargeLine)).scalars()
                           if (l.kind == "charge" and l.period == "2026-03") or l.corrects_period == "2026-03")
    assert billed_for_march == 145_161  # 10/31 of 4500.00, whatever path led there


def test_an_open_month_previews_its_corrections(db, close):
    booking = make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 3, 31))
    close("2026-03", _at("2026-03"))
    change_booking(db, booking, at=_at("2026-03", 7), status="ended", end_date=date(2026, 3, 1))
    [line] = list(correction_lines(db, "2026-04"))
    assert line.corrects_period == "2026-03" and line.amount_ore == 14_516 - 450_000


def test_no_sequence_of_changes_and_closes_loses_or_doubles_an_ore(db, close):
    """Random ends, extensions, cancellations and price changes between closes; after the last
    close, each closed month's billed total per booking equals its price from the rows now."""
    rng = random.Random(20260401)
    programmes = [make_programme(db, organisation=o, price_ore=p, price_unit=u)
                  for o, p, u in (("AMF", 450_000, "month"), ("HV", 333_33, "day"), ("KUF", 1_000_00, "placement"))]
    bookings = [make_booking(db, rng.choice(programmes), buyer=rng.choice(["RK", "ST", "SO"]),
                             start=date(2026, 1, 1) + timedelta(days=rng.randrange(0, 60)),
                             end=date(2026, 3, 1) + timedelta(days=rng.randrange(0, 90))) for _ in range(12)]
    periods = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    for index, period in enumerate(periods):
        close(period, _at(period))
        for booking in rng.sample(bookings, 4):
            change = rng.choice(["end", "extend", "cancel", "price", "reactivate"])
            values = {"end": {"end_date": max(booking.start_date, date(2026, 1, 1) + timedelta(days=rng.randrange(0, 150)))},
                      "extend": {"end_date": booking.end_date + timedelta(days=rng.randrange(1, 40))},
                      "cancel": {"status": "cancelled"}, "price": {"price_ore": rng.randrange(0, 900_000)},
                      "reactivate": {"status": "active"}}[change]
            booking = change_booking(db, booking, at=_at(period, 10 + index), **values)
    close("2026-06", _at("2026-06"))
    close("2026-06", _at("2026-06", 20))  # a retry changes nothing
    billed = {}
    for line in db.execute(select(ChargeLine)).scalars():
        month = line.corrects_period or line.period
        billed[(line.booking_id, month)] = billed.get((line.booking_id, month), 0) + line.amount_ore
    for booking in bookings:
        current = get_booking_record(db, booking_id=booking.id)
        for period in periods + ["2026-06"]:
            expected = sum(l.amount_ore for l in price_lines(current, period))
            assert billed.get((booking.id, period), 0) == expected, (booking.ref, period)


def test_ending_a_placement_early_through_the_booking_flow_corrects_the_closed_month(db, close, staff_user):
    """The real flow (marketplace.bookings.flow.end_booking), not a hand-made row change."""
    from marketplace.bookings import flow
    from marketplace.bookings.models import Booking

    booking = make_booking(db, make_programme(db), status="active", start=date(2026, 3, 1), end=date(2026, 4, 30))
    close("2026-03", _at("2026-03"))
    actor = Actor(staff_user.id, staff_user.name, staff_user.email, staff_user.organisation_id, "RK", frozenset({"staff"}), "Rinkeby-Kista")
    with transaction(db, write_lock=True):
        flow.end_booking(db, db.get(Booking, booking.id), actor=actor, now=_at("2026-03", 10), today=date(2026, 4, 10),
                         end_date=date(2026, 3, 20), outcome="work", hold_days=10)
    close("2026-04", _at("2026-04"))
    [correction] = _lines(db, "2026-04")
    assert correction.corrects_period == "2026-03"
    assert correction.amount_ore == 290_323 - 450_000  # 20/31 of 4500.00 now, the whole month billed
