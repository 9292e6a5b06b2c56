"""One programme's outcomes over the last 24 months, for its page and API item.

The statistics' own query (queries.ended_outcomes) and definitions (outcomes.py), one
programme at a time: an indexed read of that programme's ended placements.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from marketplace.followups.public import add_months
from marketplace.stats import outcomes, queries

MONTHS = 24


def programme_outcomes(session: Session, programme_id: int, *, today: date) -> outcomes.OutcomeSummary:
    """Placements of the programme that ended in the 24 months up to today, suppressed."""
    first = add_months(today, -MONTHS) + timedelta(days=1)
    scope = queries.Scope(first, today, programme_id=programme_id)
    return outcomes.summarise(queries.ended_outcomes(session, scope), first, today)
