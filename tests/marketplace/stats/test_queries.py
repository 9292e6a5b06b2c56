from decimal import Decimal

from marketplace.stats import queries
from marketplace.stats.national import national_rows
from marketplace.stats.report import build_report
from tests.marketplace.followups._factories import org_id
from tests.marketplace.stats import _dataset
from tests.marketplace.stats._dataset import FROM, TO


def _scope(db, code=None):
    return queries.Scope(FROM, TO, org_id(db, code) if code else None)


def test_placements_started_active_and_ended_count_only_used_places(db, staff_user):
    _dataset.build(db, staff_user)
    counts = queries.placement_counts(db, _scope(db))
    assert {k: (v.count, v.people) for k, v in counts.items()} == {"started": (14, 14), "active": (14, 14), "ended": (13, 13)}
    rk = queries.placement_counts(db, _scope(db, "RK"))
    assert (rk["started"].count, rk["ended"].count) == (8, 8)


def test_occupancy_compares_used_with_offered_place_days_per_programme(db, staff_user):
    a, b = _dataset.build(db, staff_user)
    rows = {r.programme_id: r for r in queries.occupancy(db, _scope(db))}
    assert (rows[a.id].offered_days, rows[a.id].used_days) == (1810, 6 * 31 + 2 * 28 + 61)
    assert (rows[b.id].offered_days, rows[b.id].used_days) == (362, 25)
    assert rows[b.id].occupancy_percent.quantize(Decimal("0.01")) == Decimal("6.91")
    assert [r.programme_id for r in queries.occupancy(db, _scope(db, "HV"))] == [b.id]


def test_waitlist_length_and_waiting_days_come_from_the_events(db, staff_user):
    _dataset.build(db, staff_user)
    wait = queries.waitlist(db, _scope(db))
    assert (wait.waiting_at_end.count, wait.entered.count, wait.left.count) == (1, 6, 5)
    assert wait.average_waiting_days == Decimal(14)


def test_outcomes_by_programme_category_and_target_group(db, staff_user):
    a, b = _dataset.build(db, staff_user)
    cells, totals, labels = queries.outcomes_by(db, _scope(db), "programme")
    assert {(c.group, c.outcome): c.count for c in cells} == {(str(a.id), "work"): 6, (str(a.id), "studies"): 2,
                                                               (str(b.id), "interrupted"): 5}
    assert labels == {str(a.id): "Snickeriet", str(b.id): "Städlaget"}
    _, by_category, _ = queries.outcomes_by(db, _scope(db), "category")
    assert {k: v.count for k, v in by_category.items()} == {"carpentry": 8, "cleaning": 5}
    _, by_group, _ = queries.outcomes_by(db, _scope(db), "target_group")
    assert {k: v.count for k, v in by_group.items()} == {"long_term_unemployed": 8, "young_adults": 8, "substance_use": 5}


def test_average_length_of_ended_placements(db, staff_user):
    a, b = _dataset.build(db, staff_user)
    overall, rows = queries.average_length(db, _scope(db))
    assert overall.average_days == Decimal(267) / 13
    assert {r.group: r.average_days for r in rows} == {str(a.id): Decimal("30.25"), str(b.id): Decimal(5)}


def test_money_bought_and_sold_per_month_follows_the_billing_rules(db, staff_user):
    a, b = _dataset.build(db, staff_user)
    city, per_programme = queries.money(db, _scope(db))
    assert [(m.month, m.bought) for m in city] == [("2026-01", 18000), ("2026-02", 6000), ("2026-03", 2500),
                                                   ("2026-04", 0), ("2026-05", 3000), ("2026-06", 3000)]
    assert per_programme == {a.id: Decimal(30000), b.id: Decimal(2500)}
    rk, _ = queries.money(db, _scope(db, "RK"))
    amf, _ = queries.money(db, _scope(db, "AMF"))
    assert sum(m.bought for m in rk) == 24000 and sum(m.sold for m in rk) == 0
    assert sum(m.sold for m in amf) == 30000 and sum(m.bought for m in amf) == 0


def test_a_month_price_is_prorated_by_the_days_of_the_month(db, staff_user):
    from datetime import date

    from tests.marketplace.followups._factories import make_booking, make_programme

    programme = make_programme(db, price_ore=310_000, price_unit="month")
    make_booking(db, programme, staff_user, start=date(2026, 2, 15), end=date(2026, 3, 10))
    months, _ = queries.money(db, queries.Scope(date(2026, 2, 1), date(2026, 3, 31)))
    assert [m.bought for m in months] == [Decimal(310_000 * 14) / 28 / 100, Decimal(310_000 * 10) / 31 / 100]


def test_the_report_suppresses_small_groups_consistently(db, staff_user):
    a, b = _dataset.build(db, staff_user)
    report = build_report(db, _scope(db), None)
    assert report.summary["placements_started"] == 14 and report.summary["waitlist_at_end"] is None
    assert report.summary["average_waiting_days"] == Decimal(14)
    table = report.table("programme")
    header = [c.key for c in table.columns]
    assert header == ["group", "work", "studies", "interrupted", "total", "work_share"]
    rows = {row[0]: row[1:] for row in table.rows}
    # Studies (2 people) is hidden, and work with it, or 8 - 6 would give it away.
    assert rows["Snickeriet"] == [None, None, 0, 8, None]
    assert rows["Städlaget"] == [0, 0, 5, 5, Decimal(0)]
    assert rows["Alla"][3] == 13 and rows["Alla"][:3].count(None) >= 2
    assert "Deltagare" not in str(report.tables)


def test_the_national_report_counts_placements_with_an_assistance_decision(db, staff_user):
    _dataset.build(db, staff_user)
    rows = [(r.programme_type, r.outcome, r.placements) for r in national_rows(db, 2026)]
    assert rows == [("ARBETSTRANING", "ARBETE", 6), ("ARBETSTRANING", "STUDIER", 2), ("ARBETSTRANING", "PAGAENDE", 1)]
