"""Follow-ups of placements: the schedule, follow-up records, weekly attendance, reminders."""

from marketplace.followups import handlers as _handlers  # noqa: F401  (connects the signal handler)
