"""What other features may read of follow-ups: the month arithmetic statistics share, and the
follow-up and attendance rows the placement summary prints.

Everything else in the package is internal (import contract in pyproject.toml)."""

from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.followups.schedule import add_months

__all__ = ["AttendanceWeek", "FollowUp", "add_months"]
