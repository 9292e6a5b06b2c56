"""The follow-up schedule follows the real booking flow through booking_status_changed."""

from datetime import date, datetime, timezone

from marketplace.auth.accounts import actor_for_user
from marketplace.bookings import flow as booking_flow
from marketplace.kernel.db import transaction
from marketplace.followups import queries
from tests.marketplace.followups._factories import make_booking, make_programme

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def test_approving_schedules_follow_ups_and_an_early_end_with_an_outcome_trims_them(db, staff_user, coordinator):
    booking = make_booking(db, make_programme(db), staff_user, status="requested", start=date(2026, 3, 2), end=date(2026, 12, 31))
    with transaction(db, write_lock=True):
        booking_flow.approve_booking(db, booking, actor=actor_for_user(db, coordinator), now=NOW)
    assert [f.due_date for f in queries.followups_for_booking(db, booking.id)] == [
        date(2026, 4, 2), date(2026, 7, 2), date(2026, 10, 2)]
    with transaction(db, write_lock=True):
        booking_flow.end_booking(db, booking, actor=actor_for_user(db, staff_user), now=NOW, today=date(2026, 5, 4),
                                 end_date=date(2026, 5, 4), outcome="work", hold_days=10)
    assert [f.due_date for f in queries.followups_for_booking(db, booking.id)] == [date(2026, 4, 2)]
    assert booking.outcome == "work"
