from datetime import date, datetime, timezone

from sqlalchemy import func, select

from marketplace.kernel.db import transaction
from marketplace.followups.demo import seed_followups
from marketplace.followups.models import AttendanceWeek, FollowUp
from tests.marketplace.followups._factories import make_booking, make_programme

NOW = datetime(2026, 6, 10, 8, tzinfo=timezone.utc)


def test_the_demo_step_skips_without_bookings_and_is_idempotent_with_them(db, staff_user, coordinator):
    assert "nothing to do" in seed_followups(db, today=date(2026, 6, 10), now=NOW)
    make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 12, 31))
    make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 12, 31))
    with transaction(db):
        seed_followups(db, today=date(2026, 6, 10), now=NOW)
    counts = lambda: (db.execute(select(func.count()).select_from(AttendanceWeek)).scalar_one(),  # noqa: E731
                      db.execute(select(func.count()).where(FollowUp.done_at.is_not(None))).scalar_one())
    first = counts()
    with transaction(db):
        seed_followups(db, today=date(2026, 6, 10), now=NOW)
    assert first == counts() and first[0] == 16 and first[1] >= 2
