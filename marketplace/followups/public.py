"""What other features may read of follow-ups: the month arithmetic statistics share, and the
follow-up and attendance rows the placement summary prints, and the erasure of the free
text attendance and follow-ups keep about a participant (privacy).

Everything else in the package is internal (import contract in pyproject.toml)."""

from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.followups.schedule import add_months

# A follow-up's free text: what people wrote about the participant, erased with the booking's data.
FOLLOW_UP_TEXT = (FollowUp.participant_view, FollowUp.progress_goals, FollowUp.progress_sub_goals, FollowUp.notes)

__all__ = ["AttendanceWeek", "FollowUp", "add_months", "erase_for_booking"]


def erase_for_booking(session: Session, booking_id: int) -> int:
    """Blank the free text kept about the participant: the weeks' attendance notes and the
    follow-ups' own words (the participant's view, progress, notes). The counts, ratings and
    readiness answers stay for statistics. Returns how many rows had text."""
    weeks = session.execute(update(AttendanceWeek).where(AttendanceWeek.booking_id == booking_id,
                                                         AttendanceWeek.note != "").values(note="")).rowcount
    follow_ups = session.execute(
        update(FollowUp)
        .where(FollowUp.booking_id == booking_id,
               or_(*(column != "" for column in FOLLOW_UP_TEXT)))
        .values({column: "" for column in FOLLOW_UP_TEXT})
    ).rowcount
    return weeks + follow_ups
