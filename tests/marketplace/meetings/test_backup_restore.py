"""`insatstorget backup` and `restore` keep meetings (UID, SEQUENCE, cancellation) and summaries."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.kernel.db import make_engine
from marketplace.meetings.models import BookingSummary, Meeting
from tests.factories import make_programme
from tests.marketplace.operations.test_backup import _cli, _drop, _fresh_database
from tests.marketplace.security._helpers import make_booking

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_backup_and_restore_keep_meetings_and_summaries(db, database_url, tmp_path, staff_user):
    booking = make_booking(db, make_programme(db), requester_id=staff_user.id, status="ended",
                           start=date(2026, 1, 5), end=date(2026, 2, 27))
    db.add(Meeting(booking_id=booking.id, kind="start", starts_at=NOW, ends_at=NOW.replace(hour=10), location="Kista",
                   note="Arbetsplan", uid="backup-1@insatstorget", sequence=1, cancelled_at=NOW, created_at=NOW,
                   updated_at=NOW))
    db.add(BookingSummary(booking_id=booking.id, attendance="Bra", achieved="Fyra timmar", written_at=NOW, updated_at=NOW))
    db.commit()
    _cli(database_url, "backup", str(tmp_path / "meetings.backup"), tmp_path=tmp_path)
    restored_url = _fresh_database(database_url, tmp_path, "restored_meetings")
    try:
        _cli(restored_url, "restore", "--yes", str(tmp_path / "meetings.backup"), tmp_path=tmp_path)
        engine = make_engine(restored_url)
        try:
            with Session(engine) as session:
                meeting = session.execute(select(Meeting)).scalar_one()
                summary = session.execute(select(BookingSummary)).scalar_one()
        finally:
            engine.dispose()
        assert (meeting.uid, meeting.sequence, meeting.cancelled_at, meeting.location, meeting.note) == (
            "backup-1@insatstorget", 1, NOW, "Kista", "Arbetsplan")
        assert (summary.booking_id, summary.achieved) == (booking.id, "Fyra timmar")
    finally:
        _drop(database_url, restored_url)
