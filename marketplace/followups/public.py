"""What other features may read of follow-ups: the month arithmetic statistics share.

Everything else in the package is internal (import contract in pyproject.toml)."""

from marketplace.followups.schedule import add_months

__all__ = ["add_months"]
