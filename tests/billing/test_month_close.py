from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from billing.lines import Line
from billing.models import BillingPeriod, ChargeLine, ImmutableRow
from billing.month_close import compute_lines
from billing.queries import period_view
from catalog.models import Organisation
from marketplace.audit.models import AuditLog
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Conflict, Invalid
from tests.billing._factories import make_booking, make_programme

APRIL = datetime(2026, 4, 2, 7, 0, tzinfo=timezone.utc)


def _lines(db, period):
    return list(db.execute(select(ChargeLine).where(ChargeLine.period == period).order_by(ChargeLine.booking_ref)).scalars())


def test_closing_writes_one_line_per_billable_booking_and_the_totals_the_preview_showed(db, close):
    amf, hv = make_programme(db, organisation="AMF"), make_programme(db, organisation="HV", price_ore=100_00, price_unit="day")
    make_booking(db, amf, start=date(2026, 3, 17), end=date(2026, 5, 1))
    make_booking(db, hv, buyer="ST", start=date(2026, 3, 30), end=date(2026, 4, 3))
    make_booking(db, amf, buyer="AMF")  # buying from yourself: no line
    for status in ("requested", "waitlisted", "rejected", "expired", "cancelled"):
        make_booking(db, amf, status=status, start=date(2026, 3, 1), end=date(2026, 3, 31))
    preview = period_view(db, "2026-03", today=APRIL.date())
    db.rollback()
    assert preview.status == "open" and [line.amount_ore for line in preview.lines] == [217742, 200_00]

    result = close("2026-03", APRIL)

    lines = _lines(db, "2026-03")
    assert result.closed_now and result.line_count == 2 and result.total_ore == 217742 + 200_00
    assert sorted(line.amount_ore for line in lines) == [200_00, 217742]
    assert {(line.buyer_code, line.provider_code) for line in lines} == {("RK", "AMF"), ("ST", "HV")}
    closed = period_view(db, "2026-03", today=APRIL.date())
    assert closed.lines == preview.lines and closed.total_ore == preview.total_ore


def test_a_month_that_has_not_ended_cannot_be_closed_and_nothing_is_written(db, close):
    make_booking(db, make_programme(db), start=date(2026, 4, 1), end=date(2026, 4, 30))
    with pytest.raises(Conflict) as raised:
        close("2026-04", datetime(2026, 4, 30, 21, 59, tzinfo=timezone.utc))  # 23:59 in Stockholm
    assert raised.value.code == "period_not_over"
    assert db.execute(select(func.count()).select_from(ChargeLine)).scalar() == 0
    assert db.get(BillingPeriod, "2026-04") is None
    assert close("2026-04", datetime(2026, 4, 30, 22, 0, tzinfo=timezone.utc)).closed_now  # 00:00 on 1 May


@pytest.mark.parametrize("bad", ["2026-13", "26-03", "2026-3", "x", "1999-12", ""])
def test_a_malformed_period_is_invalid(db, close, bad):
    with pytest.raises(Invalid):
        close(bad, APRIL)


def test_closing_again_answers_the_same_and_writes_nothing(db, close, finance_user):
    make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 3, 31))
    first = close("2026-03", APRIL)
    again = close("2026-03", datetime(2026, 5, 9, tzinfo=timezone.utc))
    assert not again.closed_now
    assert (again.closed_at, again.line_count, again.total_ore) == (first.closed_at, first.line_count, first.total_ore)
    assert len(_lines(db, "2026-03")) == 1
    assert db.execute(select(func.count()).select_from(AuditLog).where(AuditLog.action == "billing.close")).scalar() == 1


def test_the_database_refuses_a_second_charge_for_the_same_booking_and_month(db, close):
    make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 3, 31))
    close("2026-03", APRIL)
    row = _lines(db, "2026-03")[0]
    copy = {column.name: getattr(row, column.name) for column in ChargeLine.__table__.columns if column.name != "id"}
    with pytest.raises(IntegrityError):
        with transaction(db):
            db.execute(ChargeLine.__table__.insert(), [copy])


def test_charge_lines_cannot_be_changed_or_deleted(db, close):
    make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 3, 31))
    close("2026-03", APRIL)
    line = _lines(db, "2026-03")[0]
    line.amount_ore = 1
    with pytest.raises(ImmutableRow):
        db.commit()
    db.rollback()
    db.delete(db.get(ChargeLine, line.id))
    with pytest.raises(ImmutableRow):
        db.commit()
    db.rollback()


@pytest.mark.parametrize("organisation, field, value", [
    ("RK", "cost_account", "76A1"),  # the buyer's cost account
    ("RK", "cost_centre", ""),  # the buyer's cost centre
    ("AMF", "revenue_account", "3O41"),  # the provider's revenue account
    ("AMF", "cost_centre", ""),  # the provider's cost centre
])
def test_invalid_accounting_codes_stop_the_close_before_anything_is_written(db, close, organisation, field, value):
    make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 3, 31))
    row = db.execute(select(Organisation).where(Organisation.code == organisation)).scalar_one()
    setattr(row, field, value)
    db.commit()
    with pytest.raises(Conflict) as raised:
        close("2026-03", APRIL)
    assert raised.value.code == "invalid_accounting_codes" and organisation in raised.value.message
    assert db.get(BillingPeriod, "2026-03") is None
    assert db.execute(select(func.count()).select_from(ChargeLine)).scalar() == 0


def test_lines_print_the_codes_in_force_at_close_and_later_edits_reach_only_later_months(db, close):
    make_booking(db, make_programme(db), start=date(2026, 3, 1), end=date(2026, 4, 30))
    close("2026-03", APRIL)
    rk = db.execute(select(Organisation).where(Organisation.code == "RK")).scalar_one()
    rk.cost_centre, rk.cost_account = "1199", "7692"
    db.commit()
    close("2026-04", datetime(2026, 5, 3, tzinfo=timezone.utc))
    march, april = _lines(db, "2026-03")[0], _lines(db, "2026-04")[0]
    assert (march.buyer_cost_centre, march.buyer_cost_account) == ("1100", "7691")
    assert (april.buyer_cost_centre, april.buyer_cost_account) == ("1199", "7692")
    assert (april.provider_cost_centre, april.provider_revenue_account) == ("3100", "3691")


def test_an_empty_month_closes_with_no_lines(db, close):
    result = close("2026-02", APRIL)
    assert result.closed_now and result.line_count == 0 and result.total_ore == 0


def test_compute_lines_yields_lines_with_the_rule_that_priced_them(db):
    make_booking(db, make_programme(db, price_ore=300_00, price_unit="placement"), start=date(2026, 3, 5), end=date(2026, 6, 1))
    [line] = list(compute_lines(db, "2026-03"))
    assert isinstance(line, Line) and line.rule.startswith("placement: 300.00 once")
    assert list(compute_lines(db, "2026-04")) == []
