"""What other features may read of statistics: the outcome labels follow-up pages show, a
programme's outcomes for its page and API item, and the counter of searches that found nothing.

Everything else in the package is internal (import contract in pyproject.toml)."""

from marketplace.stats.labels import OUTCOME_LABELS, OUTCOME_ORDER, outcome_label
from marketplace.stats.outcomes import OutcomeSummary
from marketplace.stats.programme_outcomes import programme_outcomes
from marketplace.stats.unmet import count_unmet_search

__all__ = ["OUTCOME_LABELS", "OUTCOME_ORDER", "OutcomeSummary", "count_unmet_search",
           "outcome_label", "programme_outcomes"]
