"""A credit agreed, then the booking changes (cancelled, ended earlier): the month never comes to
less than zero, no öre is given back twice, the preview shows what the close writes, and the
audit and notes name the disputes the credit line gives back (billing.settlement)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from billing.month_close import compute_lines, compute_pair_lines, preview_month_totals, preview_pair_totals
from billing.models import ChargeLine
from billing.settlement import creditable, settle
from marketplace.audit.models import AuditLog
from marketplace.notifications.models import Notification
from tests.billing._factories import change_booking
from tests.billing.disputes._helpers import BASE, close, march_to_april, users


@pytest.fixture
def people(db):
    return users(db)


def _credit(api, people, ref: str, amount: str, period: str = "2026-03"):
    dispute = api(people["buyer_finance"]).post(BASE, json={"booking_ref": ref, "period": period, "reason": "Fel"})
    assert dispute.status_code == 201, dispute.get_data(as_text=True)
    answer = api(people["provider_finance"]).post(f"{BASE}/{dispute.get_json()['id']}/resolve",
                                                  json={"decision": "accepted", "credit": amount})
    return dispute.get_json()["id"], answer


def _month_net(db, booking_id: int, month: str) -> int:
    """Everything stored for one booking's month: its charge, corrections and credits."""
    return db.execute(select(func.coalesce(func.sum(ChargeLine.amount_ore), 0)).where(
        ChargeLine.booking_id == booking_id,
        ((ChargeLine.kind == "charge") & (ChargeLine.period == month)) | (ChargeLine.corrects_period == month),
    )).scalar_one()


def _previews(db, period: str) -> set[tuple[int, int]]:
    """(total, line count) of the month by every preview the pages, API and statements use."""
    lines = list(compute_lines(db, period))
    pairs = preview_pair_totals(db, period)
    buyer_lines = compute_pair_lines(db, period, buyer_id=lines[0].buyer_organisation_id) if lines else []
    db.rollback()
    return {(sum(line.amount_ore for line in lines), len(lines)),
            (sum(p.amount_ore for p in pairs), sum(p.line_count for p in pairs)),
            preview_month_totals(db, [period])[period],
            (sum(line.amount_ore for line in buyer_lines), len(buyer_lines))}


def test_a_cancellation_after_the_credit_was_written_takes_back_only_what_is_left_of_the_month(
        db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    _credit(api, people, booking.ref, "3000.00")
    close(engine, settings, "2026-04", datetime(2026, 5, 2, tzinfo=timezone.utc))  # credits March 3 000
    change_booking(db, booking, at=datetime(2026, 5, 10, tzinfo=timezone.utc), status="cancelled")

    # Nothing is left of March to credit: refused at once, and nothing changes.
    frozen_clock("2026-05-11T09:00:00+02:00")
    dispute_id, refused = _credit(api, people, booking.ref, "0.01")
    assert refused.status_code == 422 and [e["field"] for e in refused.get_json()["errors"]] == ["credit"]
    assert "(0.00 SEK)" in refused.get_json()["detail"]

    assert _previews(db, "2026-05") == {(-150_000 - 450_000, 2)}
    result, _files = close(engine, settings, "2026-05", datetime(2026, 6, 2, tzinfo=timezone.utc))
    db.rollback()
    assert (result.total_ore, result.line_count) == (-150_000 - 450_000, 2)
    corrections = {line.corrects_period: line for line in db.execute(
        select(ChargeLine).where(ChargeLine.period == "2026-05")).scalars()}
    # March: billed 4 500, credited 3 000; cancelled, it takes back the 1 500 left, not 4 500 again.
    assert corrections["2026-03"].kind == "correction" and corrections["2026-03"].amount_ore == -150_000
    assert "3000.00 credited" in corrections["2026-03"].rule
    assert corrections["2026-04"].amount_ore == -450_000  # April had no credit: all of it back
    assert (_month_net(db, booking.id, "2026-03"), _month_net(db, booking.id, "2026-04")) == (0, 0)

    close(engine, settings, "2026-06", datetime(2026, 7, 2, tzinfo=timezone.utc))  # and nothing more later
    db.rollback()
    assert db.execute(select(func.count()).select_from(ChargeLine).where(ChargeLine.period == "2026-06")).scalar_one() == 0
    assert api(people["buyer_finance"]).get(f"{BASE}/{dispute_id}").get_json()["status"] == "open"


def test_a_credit_agreed_before_the_booking_ended_earlier_gives_back_at_most_what_the_month_costs_now(
        db, app, api, login, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute_id, answer = _credit(api, people, booking.ref, "4000.00")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # Then the placement turns out to have ended on 10 March: March now costs 10/31 of 4 500.
    change_booking(db, booking, at=datetime(2026, 4, 4, tzinfo=timezone.utc), status="ended", end_date=date(2026, 3, 10))
    now_costs = 145_161

    assert _previews(db, "2026-04") == {(-450_000, 2)}
    result, _files = close(engine, settings, "2026-04", datetime(2026, 5, 2, tzinfo=timezone.utc))
    db.rollback()
    assert (result.total_ore, result.line_count) == (-450_000, 2)
    lines = {line.kind: line for line in db.execute(select(ChargeLine).where(ChargeLine.period == "2026-04")).scalars()}
    assert lines["credit"].amount_ore == -now_costs and lines["credit"].corrects_period == "2026-03"
    assert f"dispute #{dispute_id}" in lines["credit"].rule and "at most what 2026-03 costs now" in lines["credit"].rule
    assert lines["correction"].amount_ore == -(450_000 - now_costs)
    assert _month_net(db, booking.id, "2026-03") == 0  # 4 500 billed, all of it back once, not 4 000 more

    [audited] = db.execute(select(AuditLog).where(AuditLog.action == "billing.dispute_credit")).scalars()
    assert audited.details["disputes"] == [dispute_id] and audited.details["amount_ore"] == -now_costs
    told = db.execute(select(Notification.user_id)
                      .where(Notification.message.like(f"%tvist {dispute_id} %är med i 2026-04%"))).scalars()
    assert people["buyer_finance"].id in set(told)
    shown = api(people["buyer_finance"]).get(f"{BASE}/{dispute_id}").get_json()
    assert (shown["credit"]["amount"], shown["credited"]["amount"], shown["credited_in"]) == (
        "4000.00", "1451.61", "2026-04")
    page = login(people["buyer_finance"], target=app.test_client()).get(f"/fakturering/tvister/{dispute_id}")
    assert "1\u00a0451,61\u00a0kr krediterad i 2026-04, högst vad månaden nu kostar" in page.get_data(as_text=True)

    close(engine, settings, "2026-05", datetime(2026, 6, 2, tzinfo=timezone.utc))  # the rest of the 4 000 is never given
    db.rollback()
    assert db.execute(select(func.count()).select_from(ChargeLine).where(ChargeLine.period == "2026-05")).scalar_one() == 0


@pytest.mark.parametrize("should, billed, credited, agreed, credit, correction", [
    (450_000, 450_000, 0, 300_000, 300_000, 0),  # the usual case: the credit in full
    (0, 450_000, 300_000, 300_000, 0, -150_000),  # credited, then cancelled: only what is left
    (0, 450_000, 0, 300_000, 0, -450_000),  # agreed, then cancelled before it was written: no credit
    (200_000, 450_000, 0, 300_000, 200_000, -250_000),  # price lowered below the credit: at most the price
    (200_000, 300_000, 300_000, 300_000, 0, 0),  # already settled at that price: nothing more
    (450_000, 300_000, 300_000, 300_000, 0, 150_000),  # the price back up: billed again, less the credit
    (450_000, 200_000, 200_000, 300_000, 100_000, 250_000),  # ... and the rest of the credit given
])
def test_the_settlement_rule(should, billed, credited, agreed, credit, correction):
    settled = settle(should=should, billed=billed, credited=credited, agreed=agreed)
    assert (settled.credit_ore, settled.correction_ore) == (credit, correction)
    assert settled.net_ore == billed + correction - credited - credit == should - min(agreed, should)


def test_what_may_still_be_credited_is_the_month_as_it_costs_now_less_credits_agreed():
    assert creditable(should=450_000, billed=450_000, agreed=100_000) == 350_000
    assert creditable(should=0, billed=450_000, agreed=0) == 0  # cancelled, not yet corrected
    assert creditable(should=450_000, billed=200_000, agreed=0) == 200_000  # a rise not yet billed
    assert creditable(should=200_000, billed=300_000, agreed=300_000) == 0
