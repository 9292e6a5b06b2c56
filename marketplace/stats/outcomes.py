"""What "went to work or studies" and "ended early" mean, and a suppressed summary of them.

The one definition both the programme page and the comparison of buying organisations use:
- to work or studies: an ended placement whose outcome is `work` or `studies`;
- ended early: an ended placement whose outcome is `interrupted` (avbrott), the participant
  left before the assignment was done.
Every other outcome (and a missing one) is "other". Shares are of ended placements.

Pure: no session. Suppression is statistics' own (suppression.suppress_table): the three
groups and their total form one published row, so a hidden group is never recoverable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from marketplace.stats.suppression import Figure, suppress_table

WORK_OR_STUDIES = frozenset({"work", "studies"})
ENDED_EARLY = frozenset({"interrupted"})
GROUPS = ("work_or_studies", "ended_early", "other")


def outcome_group(outcome: str | None) -> str:
    if outcome in WORK_OR_STUDIES:
        return "work_or_studies"
    if outcome in ENDED_EARLY:
        return "ended_early"
    return "other"


def share(part: int | None, whole: int | None) -> Decimal | None:
    """part / whole in percent; None when either is hidden or there is nothing to divide."""
    if part is None or not whole:
        return None
    return Decimal(part * 100) / Decimal(whole)


@dataclass(frozen=True)
class OutcomeSummary:
    """Ended placements in a period and the two shares; None = hidden (fewer than 5 people)."""

    from_date: date
    to_date: date
    ended: int | None
    work_or_studies: int | None
    ended_early: int | None
    work_or_studies_share: Decimal | None
    ended_early_share: Decimal | None

    def as_dict(self) -> dict:
        def number(value):
            return None if value is None else str(value.quantize(Decimal("0.1")))

        return {"from": self.from_date.isoformat(), "to": self.to_date.isoformat(), "ended": self.ended,
                "work_or_studies": self.work_or_studies, "ended_early": self.ended_early,
                "work_or_studies_share": number(self.work_or_studies_share),
                "ended_early_share": number(self.ended_early_share)}


def group_figures(facts) -> tuple[dict[str, Figure], Figure]:
    """(outcome, person, placements) facts -> a Figure per group and for all, people counted once."""
    placements: dict[str, int] = defaultdict(int)
    people: dict[str, set] = defaultdict(set)
    for outcome, person, count in facts:
        group = outcome_group(outcome)
        placements[group] += count
        people[group].add(person)
        placements[""] += count
        people[""].add(person)
    figures = {g: Figure(placements[g], len(people[g])) for g in GROUPS}
    return figures, Figure(placements[""], len(people[""]))


def summarise(facts, from_date: date, to_date: date) -> OutcomeSummary:
    """Suppress the three groups and their total as one table row, then take the shares."""
    figures, total = group_figures(facts)
    table = suppress_table({("all", g): figures[g] for g in GROUPS}, {"all": total},
                           {g: figures[g] for g in GROUPS}, total)
    ended = table.row_totals["all"]
    work, early = table.cells[("all", "work_or_studies")], table.cells[("all", "ended_early")]
    return OutcomeSummary(from_date, to_date, ended, work, early, share(work, ended), share(early, ended))
