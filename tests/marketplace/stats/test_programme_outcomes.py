"""A programme's outcomes over the last 24 months on its page and API item, suppressed like the statistics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from marketplace.stats import outcomes
from marketplace.stats.programme_outcomes import programme_outcomes
from tests.marketplace.followups._factories import make_booking, make_programme

TODAY = date(2026, 7, 1)  # the 24 months: 2024-07-02 to 2026-07-01
NOW = "2026-07-01T10:00:00+02:00"


def _ended(db, programme, requester, outcome, *, end=date(2026, 3, 31), participant=None, status="ended"):
    make_booking(db, programme, requester, status=status, start=date(2024, 1, 1), end=end, outcome=outcome,
                 participant=participant, commit=False)


def test_shares_of_work_or_studies_and_of_early_ends(db, staff_user):
    programme = make_programme(db)
    for outcome in ("work", "work", "work", "studies", "studies", "interrupted", "interrupted", "interrupted",
                    "interrupted", "interrupted", "own_support", "other", None, "jobbtorg", "pension", "other"):
        _ended(db, programme, staff_user, outcome)
    db.commit()
    summary = programme_outcomes(db, programme.id, today=TODAY)
    assert (summary.ended, summary.work_or_studies, summary.ended_early) == (16, 5, 5)
    assert summary.work_or_studies_share == Decimal("31.25") and summary.ended_early_share == Decimal("31.25")
    assert (summary.from_date, summary.to_date) == (date(2024, 7, 2), TODAY)


def test_only_placements_ended_in_the_24_months_count(db, staff_user):
    programme, other = make_programme(db), make_programme(db, name="Annan")
    for _ in range(5):
        _ended(db, programme, staff_user, "work", end=date(2024, 7, 2))   # the first day: in
        _ended(db, programme, staff_user, "work", end=date(2024, 7, 1))   # the day before: out
        _ended(db, programme, staff_user, None, status="active", end=date(2026, 12, 31))  # not ended
        _ended(db, other, staff_user, "interrupted")  # another programme
    db.commit()
    summary = programme_outcomes(db, programme.id, today=TODAY)
    assert (summary.ended, summary.work_or_studies, summary.ended_early) == (5, 5, 0)
    assert (summary.work_or_studies_share, summary.ended_early_share) == (Decimal(100), Decimal(0))


def test_suppression_at_the_threshold_five_shown_four_hidden_and_never_recoverable():
    five = [("work", f"p{i}", 1) for i in range(5)] + [("other", f"q{i}", 1) for i in range(5)]
    shown = outcomes.summarise(five, TODAY, TODAY)
    assert (shown.ended, shown.work_or_studies, shown.ended_early, shown.work_or_studies_share) == (10, 5, 0, Decimal(50))
    # Four to work: hidden, and the 'other' cell too, or 10 - 0 - other would give the four away.
    four = [("studies", f"p{i}", 1) for i in range(4)] + [("pension", f"q{i}", 1) for i in range(6)]
    hidden = outcomes.summarise(four, TODAY, TODAY)
    assert (hidden.ended, hidden.work_or_studies, hidden.ended_early) == (10, None, 0)
    assert hidden.work_or_studies_share is None and hidden.ended_early_share == Decimal(0)
    # Four people in all: nothing shown, though they ended six placements.
    few = [("work", "p1", 2), ("work", "p2", 1), ("interrupted", "p3", 2), ("other", "p4", 1)]
    assert outcomes.summarise(few, TODAY, TODAY).ended is None
    assert outcomes.summarise([], TODAY, TODAY).ended == 0


def test_five_placements_of_four_people_are_hidden(db, staff_user):
    programme = make_programme(db)
    for person in ("A", "A", "B", "C", "D"):
        _ended(db, programme, staff_user, "work", participant=person)
    db.commit()
    summary = programme_outcomes(db, programme.id, today=TODAY)
    assert summary.ended is None and summary.work_or_studies_share is None


def test_the_programme_page_shows_the_outcomes(client, login, db, staff_user, frozen_clock):
    frozen_clock(NOW)
    programme = make_programme(db)
    for outcome in ("work",) * 3 + ("studies",) * 2 + ("other",) * 5:
        _ended(db, programme, staff_user, outcome)
    db.commit()
    login(staff_user)
    html = client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    section = html[html.index('id="outcomes-heading"'):]
    section = section[:section.index("</section>")]
    assert "Resultat de senaste 24 månaderna" in section
    assert "<dd>10</dd>" in section and "<dd>50,0 %</dd>" in section and "<dd>0,0 %</dd>" in section


def test_the_api_item_has_outcomes_and_the_list_does_not(api, db, staff_user, frozen_clock):
    frozen_clock(NOW)
    programme = make_programme(db)
    for outcome in ("work",) * 4 + ("other",) * 4:
        _ended(db, programme, staff_user, outcome)
    db.commit()
    caller = api(staff_user)
    item = caller.get(f"/api/v1/programmes/{programme.id}").get_json()
    assert item["outcomes"] == {"from": "2024-07-02", "to": "2026-07-01", "ended": 8, "work_or_studies": None,
                                "ended_early": 0, "work_or_studies_share": None, "ended_early_share": "0.0"}
    listed = caller.get("/api/v1/programmes").get_json()["items"]
    assert listed and all("outcomes" not in entry for entry in listed)
