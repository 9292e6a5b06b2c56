"""Organisations side by side as buyers: every figure worked out by hand from a small data set.

RK (Rinkeby-Kista) asks for 12 places in the period: 6 start on 1 April after 7, 14, 21, 28,
35 and 70 days and were decided after 1, 2, 3, 4, 5 and 9 days; 5 were rejected after 10
days; 1 expired. It also has 10 placements, asked for and started before the period, that ran
from December to the end of March: 3 to work, 2 to studies, 5 to own support. Everything of
RK's is priced at 3 000 kr a month. ST (Spånga-Tensta) has 3 people, in March, at 100 kr a day: every figure
about them is hidden, their cost is not. AMF buys one placement from itself (asked for on
25 March, decided the next day, 1 April to 31 May, to work): it costs nothing. ST and AMF are
both small in every count, so no hidden count can be worked out from the city's.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from openpyxl import load_workbook

from marketplace.stats import buyers, queries
from marketplace.stats.report import build_report
from tests.marketplace.followups._factories import make_booking, make_programme

FROM, TO = date(2026, 1, 1), date(2026, 6, 30)
QUERY = "from=2026-01-01&to=2026-06-30"


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=timezone.utc)


def _booking(db, programme, requester, *, asked: date, decided_after: int | None, **kwargs):
    booking = make_booking(db, programme, requester, commit=False, **kwargs)
    booking.created_at = _at(asked)
    booking.decided_at = None if decided_after is None else _at(asked + timedelta(days=decided_after))
    return booking


def build(db, requester):
    a = make_programme(db, organisation="AMF", name="Snickeriet", category="carpentry", price_ore=300_000, price_unit="month")
    b = make_programme(db, organisation="HV", name="Städlaget", category="cleaning", price_ore=10_000, price_unit="day")
    start = date(2026, 4, 1)
    for waited, decided in zip((7, 14, 21, 28, 35, 70), (1, 2, 3, 4, 5, 9)):
        _booking(db, a, requester, buyer="RK", status="active", start=start, end=date(2026, 12, 31),
                 asked=start - timedelta(days=waited), decided_after=decided)
    for _ in range(5):
        _booking(db, a, requester, buyer="RK", status="rejected", start=date(2026, 5, 1), end=date(2026, 6, 30),
                 asked=date(2026, 2, 2), decided_after=10)
    _booking(db, a, requester, buyer="RK", status="expired", start=date(2026, 5, 1), end=date(2026, 6, 30),
             asked=date(2026, 2, 2), decided_after=None)
    for outcome in ("work",) * 3 + ("studies",) * 2 + ("own_support",) * 5:
        _booking(db, a, requester, buyer="RK", status="ended", start=date(2025, 12, 1), end=date(2026, 3, 31),
                 outcome=outcome, asked=date(2025, 11, 1), decided_after=3)
    for _ in range(3):
        _booking(db, b, requester, buyer="ST", status="ended", start=date(2026, 3, 1), end=date(2026, 3, 31),
                 outcome="work", asked=date(2026, 2, 15), decided_after=2)
    _booking(db, a, requester, buyer="AMF", status="ended", start=start, end=date(2026, 5, 31), outcome="work",
             asked=date(2026, 3, 25), decided_after=1)
    db.commit()


def _compare(db):
    city, rows = buyers.compare_buyers(db, queries.Scope(FROM, TO), city_name="Hela staden")
    return city, {row.code: row for row in rows}


def test_each_buyer_and_the_city_side_by_side_hand_computed(db, staff_user):
    build(db, staff_user)
    city, rows = _compare(db)
    rk, st, amf = rows["RK"], rows["ST"], rows["AMF"]
    assert (rk.placements_started, rk.requests) == (6, 12)
    assert rk.median_days_to_decision == Decimal(9)   # 1 2 3 4 5 9 10 10 10 10 10: the sixth
    assert rk.median_days_to_start == Decimal("24.5")  # 7 14 21 28 | 35 70: (21 + 28) / 2
    assert rk.refused_or_expired_share == Decimal(50)  # 5 rejected + 1 expired of 12
    assert rk.work_or_studies_share == Decimal(50)     # 3 work + 2 studies of 10 ended
    assert rk.cost_per_placement_month == Decimal(3000)  # 48 placement-months at 3 000 kr
    # ST: three people, every figure about them hidden; money is not about people.
    assert (st.placements_started, st.requests, st.median_days_to_decision, st.median_days_to_start,
            st.refused_or_expired_share, st.work_or_studies_share) == (None,) * 6
    assert st.cost_per_placement_month == Decimal(3100)  # 3 x 31 days x 100 kr over 3 placement-months
    # AMF bought from itself: counted as a placement (hidden, one person), no cost.
    assert (amf.placements_started, amf.requests, amf.cost_per_placement_month) == (None, None, None)
    # The city: every buyer together.
    assert (city.placements_started, city.requests) == (10, 16)
    assert city.median_days_to_decision == Decimal(4)      # 1 1 2 2 2 2 3 [4] 5 9 10 10 10 10 10
    assert city.median_days_to_start == Decimal(14)        # 7 7 14 14 14 | 14 21 28 35 70
    assert city.refused_or_expired_share == Decimal("37.5")  # 6 of 16
    assert city.work_or_studies_share == Decimal(900) / 14  # 5 + 3 + 1 of 14 ended
    assert city.cost_per_placement_month == Decimal(153_300) / 51  # (144 000 + 9 300) kr / (48 + 3)


def test_one_hidden_organisation_hides_another_so_the_city_gives_nothing_away(db, staff_user):
    """RK 6 and ST 3 placements started, the city 9: ST's 3 would be 9 - 6, so RK's 6 goes too."""
    programme = make_programme(db, organisation="AMF", price_ore=300_000, price_unit="month")
    for buyer, n in (("RK", 6), ("ST", 3)):
        for _ in range(n):
            _booking(db, programme, staff_user, buyer=buyer, status="approved", start=date(2026, 5, 1),
                     end=date(2026, 5, 31), asked=date(2026, 3, 2), decided_after=1)
    db.commit()
    city, rows = _compare(db)
    assert (city.placements_started, rows["RK"].placements_started, rows["ST"].placements_started) == (9, None, None)
    assert (city.requests, rows["RK"].requests, rows["ST"].requests) == (9, None, None)
    assert rows["RK"].median_days_to_decision == Decimal(1)  # a median gives no count away


def test_a_median_of_five_people_is_shown_and_of_four_hidden(db, staff_user):
    programme = make_programme(db, organisation="AMF", price_ore=300_000, price_unit="month")
    for decided in (2, 4, 6, 8):
        _booking(db, programme, staff_user, buyer="RK", status="approved", start=date(2026, 5, 1), end=date(2026, 5, 31),
                 asked=date(2026, 3, 2), decided_after=decided)
    db.commit()
    _, rows = _compare(db)
    assert rows["RK"].median_days_to_decision is None and rows["RK"].placements_started is None
    _booking(db, programme, staff_user, buyer="RK", status="approved", start=date(2026, 5, 1), end=date(2026, 5, 31),
             asked=date(2026, 3, 2), decided_after=20)
    db.commit()
    _, rows = _compare(db)
    assert rows["RK"].median_days_to_decision == Decimal(6) and rows["RK"].placements_started == 5


def test_one_person_counted_once_however_many_placements(db, staff_user):
    """Five placements of four people stay hidden: suppression counts people, not rows."""
    programme = make_programme(db, organisation="AMF", price_ore=300_000, price_unit="month")
    for person in ("P-1", "P-1", "P-2", "P-3", "P-4"):
        _booking(db, programme, staff_user, buyer="RK", status="approved", start=date(2026, 5, 1), end=date(2026, 5, 31),
                 asked=date(2026, 3, 2), decided_after=1, participant=person)
    db.commit()
    _, rows = _compare(db)
    assert rows["RK"].placements_started is None and rows["RK"].requests is None


def test_sorting_keeps_hidden_figures_last_and_names_break_ties(db, staff_user):
    build(db, staff_user)
    _, rows = buyers.compare_buyers(db, queries.Scope(FROM, TO), city_name="Hela staden")
    assert [r.code for r in buyers.sort_rows(rows, "cost_per_placement_month", True)] == ["ST", "RK", "AMF"]
    assert [r.code for r in buyers.sort_rows(rows, "cost_per_placement_month", False)] == ["RK", "ST", "AMF"]
    assert [r.code for r in buyers.sort_rows(rows, "work_or_studies_share", True)] == ["RK", "AMF", "ST"]
    assert [r.code for r in buyers.sort_rows(rows, "organisation", False)] == ["AMF", "RK", "ST"]
    assert [r.code for r in buyers.sort_rows(rows, "organisation", True)] == ["ST", "RK", "AMF"]


def test_the_report_table_puts_the_city_first(db, staff_user):
    build(db, staff_user)
    table = build_report(db, queries.Scope(FROM, TO), None, buyer_sort=("median_days_to_start", False)).table("buyers")
    assert [row[0] for row in table.rows] == ["Hela staden (referens)", "Rinkeby-Kista stadsdelsförvaltning (RK)",
                                              "Arbetsmarknadsförvaltningen (AMF)", "Spånga-Tensta stadsdelsförvaltning (ST)"]


def test_the_api_sorts_with_sort_and_refuses_an_unknown_key(api, db, staff_user):
    build(db, staff_user)
    caller = api(staff_user)
    body = caller.get(f"/api/v1/statistics?{QUERY}&sort=-cost_per_placement_month").get_json()
    table = next(t for t in body["tables"] if t["key"] == "buyers")
    assert [row["organisation"] for row in table["rows"]] == [
        "Hela staden (referens)", "Spånga-Tensta stadsdelsförvaltning (ST)", "Rinkeby-Kista stadsdelsförvaltning (RK)",
        "Arbetsmarknadsförvaltningen (AMF)"]
    city, st, rk, _amf = table["rows"]
    assert city == {"organisation": "Hela staden (referens)", "placements_started": 10, "requests": 16,
                    "median_days_to_decision": "4.00", "median_days_to_start": "14.00", "refused_or_expired_share": "37.50",
                    "work_or_studies_share": "64.29", "cost_per_placement_month": "3005.88"}
    assert st["placements_started"] is None and st["cost_per_placement_month"] == "3100.00"
    assert rk["median_days_to_start"] == "24.50" and rk["refused_or_expired_share"] == "50.00"
    bad = caller.get(f"/api/v1/statistics?{QUERY}&sort=salary")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "sort"
    assert bad.headers["Content-Type"].startswith("application/problem+json")


def test_the_page_sorts_by_links_without_script(client, login, db, staff_user):
    build(db, staff_user)
    login(staff_user)
    html = client.get(f"/statistik?{QUERY}&sort=-cost_per_placement_month").get_data(as_text=True)
    section = html[html.index('id="section-buyers"'):]
    section = section[:section.index("</table>")]
    assert 'aria-sort="descending"' in section
    # The active column's link turns the order around; another column sorts high to low first.
    assert "sort=cost_per_placement_month" in section and "sort=-work_or_studies_share" in section
    assert section.index("Spånga-Tensta") < section.index("Rinkeby-Kista") < section.index("Arbetsmarknadsförvaltningen")
    assert section.index("Hela staden (referens)") < section.index("Spånga-Tensta")
    assert "3 005,88" in section.replace("\xa0", " ")
    bad = client.get(f"/statistik?{QUERY}&sort=salary")
    assert bad.status_code == 422 and "Okänd sortering." in bad.get_data(as_text=True)


def test_the_files_carry_the_buyers_table(client, login, db, staff_user):
    build(db, staff_user)
    login(staff_user)
    raw = client.get(f"/statistik/export.csv?{QUERY}&table=buyers&sort=organisation").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Organisation" and rows[1][:3] == ["Hela staden (referens)", "10", "16"]
    assert rows[2][0] == "Arbetsmarknadsförvaltningen (AMF)" and rows[4][1] == ".."
    book = load_workbook(io.BytesIO(client.get(f"/statistik/export.xlsx?{QUERY}").get_data()))
    sheet = book["Organisationer som köpare, sida"]
    assert [c.value for c in sheet[3]][:3] == ["Hela staden (referens)", 10, 16]
