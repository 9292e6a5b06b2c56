from datetime import date

import pytest

from marketplace.followups.schedule import add_months, due_dates


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2026, 1, 12), date(2026, 2, 11), []),
    (date(2026, 1, 12), date(2026, 2, 12), [date(2026, 2, 12)]),
    (date(2026, 1, 12), date(2026, 6, 30), [date(2026, 2, 12), date(2026, 5, 12)]),
    (date(2026, 1, 12), date(2027, 1, 12),
     [date(2026, 2, 12), date(2026, 5, 12), date(2026, 8, 12), date(2026, 11, 12)]),
    # Month ends clamp, but every date is counted from the start, so nothing drifts.
    (date(2026, 1, 31), date(2026, 12, 31),
     [date(2026, 2, 28), date(2026, 5, 31), date(2026, 8, 31), date(2026, 11, 30)]),
    (date(2027, 12, 15), date(2028, 4, 1), [date(2028, 1, 15)]),
])
def test_due_dates_follow_one_month_then_every_three_months_until_the_end(start, end, expected):
    assert due_dates(start, end) == expected


def test_a_three_year_placement_gets_a_follow_up_each_quarter_after_the_first_month():
    dates = due_dates(date(2026, 3, 2), date(2029, 3, 1))
    assert dates[0] == date(2026, 4, 2)
    assert len(dates) == 12
    assert all(add_months(dates[0], 3 * i) == d for i, d in enumerate(dates))


def test_add_months_clamps_to_the_last_day_of_a_leap_february():
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
