"""What other features may read of meetings: erasure with the participant data, and the
start page's task list. Everything else in the package is internal (import contract)."""

from marketplace.meetings.service import erase_for_booking

__all__ = ["erase_for_booking"]
