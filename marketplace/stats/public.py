"""What other features may read of statistics: the outcome labels follow-up pages show.

Everything else in the package is internal (import contract in pyproject.toml)."""

from marketplace.stats.labels import OUTCOME_LABELS, OUTCOME_ORDER, outcome_label

__all__ = ["OUTCOME_LABELS", "OUTCOME_ORDER", "outcome_label"]
