"""What other features may read of follow-ups: the month arithmetic statistics share, and the
follow-up and attendance rows the placement summary prints, and the erasure of the free
text attendance keeps about a participant (privacy).

Everything else in the package is internal (import contract in pyproject.toml)."""

from sqlalchemy import update
from sqlalchemy.orm import Session

from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.followups.schedule import add_months

__all__ = ["AttendanceWeek", "FollowUp", "add_months", "erase_for_booking"]


def erase_for_booking(session: Session, booking_id: int) -> int:
    """Blank the booking's attendance notes (free text about the participant); the counts stay.
    Returns how many weeks had a note."""
    return session.execute(update(AttendanceWeek).where(AttendanceWeek.booking_id == booking_id,
                                                        AttendanceWeek.note != "").values(note="")).rowcount
