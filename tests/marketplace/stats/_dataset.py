"""A small hand-made data set whose every statistic is worked out by hand in the tests."""

from __future__ import annotations

from datetime import date, datetime, timezone

from tests.marketplace.followups._factories import add_event, make_booking, make_programme

FROM, TO = date(2026, 1, 1), date(2026, 6, 30)  # 181 days


def build(db, requester):
    a = make_programme(db, organisation="AMF", name="Snickeriet", category="carpentry", capacity=10, price_ore=300_000,
                       price_unit="month", target_groups=("long_term_unemployed", "young_adults"))
    b = make_programme(db, organisation="HV", name="Städlaget", category="cleaning", capacity=2, price_ore=10_000,
                       price_unit="day", target_groups=("substance_use",))
    for _ in range(6):   # 31 days each, January, to work: 6 x 3 000 kr
        make_booking(db, a, requester, buyer="RK", status="ended", start=date(2026, 1, 1), end=date(2026, 1, 31),
                     outcome="work", commit=False)
    for _ in range(2):   # 28 days each, February, to studies: 2 x 3 000 kr
        make_booking(db, a, requester, buyer="RK", status="ended", start=date(2026, 2, 1), end=date(2026, 2, 28),
                     outcome="studies", commit=False)
    for _ in range(5):   # 5 days each in March, interrupted: 5 x 5 x 100 kr; no assistance decision
        make_booking(db, b, requester, buyer="ST", status="ended", start=date(2026, 3, 2), end=date(2026, 3, 6),
                     outcome="interrupted", decision=None, commit=False)
    # Running from 1 May: May and June at 3 000 kr each, 61 place-days in the period.
    make_booking(db, a, requester, buyer="ST", status="active", start=date(2026, 5, 1), end=date(2026, 12, 31), commit=False)
    # Neither uses a place nor costs money.
    make_booking(db, a, requester, buyer="RK", status="cancelled", start=date(2026, 3, 1), end=date(2026, 4, 30), commit=False)
    make_booking(db, a, requester, buyer="RK", status="requested", start=date(2026, 7, 1), end=date(2026, 8, 30), commit=False)
    # Waitlist: five left it in March after 10, 10, 10, 20 and 20 days; one still waits at the end.
    for waited in (10, 10, 10, 20, 20):
        booking = make_booking(db, a, requester, buyer="RK", status="expired", start=date(2026, 5, 1),
                               end=date(2026, 6, 30), commit=False)
        add_event(db, booking, at=datetime(2026, 3, 1, 8, tzinfo=timezone.utc), from_status=None, to_status="waitlisted")
        add_event(db, booking, at=datetime(2026, 3, 1 + waited, 8, tzinfo=timezone.utc), from_status="waitlisted",
                  to_status="requested")
    waiting = make_booking(db, a, requester, buyer="RK", status="waitlisted", start=date(2026, 7, 1),
                           end=date(2026, 9, 30), commit=False)
    add_event(db, waiting, at=datetime(2026, 6, 1, 8, tzinfo=timezone.utc), from_status=None, to_status="waitlisted")
    db.commit()
    return a, b
