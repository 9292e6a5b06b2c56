"""Hide groups smaller than five people so that no one can be identified. Pure: no session.

Rule (applied the same way to every breakdown by outcome, programme, category or target group):
1. Primary: a count whose group holds 1-4 distinct people is hidden (0 is shown: it names nobody).
2. Complementary: where a total is published, one hidden cell in its row or column could be
   recovered by subtraction, so the smallest other non-zero cell there is hidden as well (or,
   if there is none, the total itself). Repeated until no line has exactly one hidden cell.
Figures about places and money (offered/used place-days, amounts) are not about people and
are not suppressed; averages over people (length, waiting days) are hidden under 5 people.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

THRESHOLD = 5


def is_small(people: int) -> bool:
    return 0 < people < THRESHOLD


def count_or_none(count: int, people: int) -> int | None:
    """A single count: None (hidden) when it stands for 1-4 people."""
    return None if is_small(people) else count


@dataclass
class Figure:
    """A count and how many distinct people stand behind it."""

    count: int
    people: int


@dataclass
class SuppressedTable:
    cells: dict[tuple[Hashable, Hashable], int | None]
    row_totals: dict[Hashable, int | None]
    col_totals: dict[Hashable, int | None]
    grand_total: int | None
    hidden: set = field(default_factory=set)


def suppress_table(cells: dict[tuple[Hashable, Hashable], Figure], row_totals: dict[Hashable, Figure],
                   col_totals: dict[Hashable, Figure], grand_total: Figure) -> SuppressedTable:
    """Apply primary and complementary suppression to a two-way table with its margins."""
    rows, cols = list(row_totals), list(col_totals)
    value = {("cell", key): fig for key, fig in cells.items()}
    value.update({("row", r): fig for r, fig in row_totals.items()})
    value.update({("col", c): fig for c, fig in col_totals.items()})
    value[("grand", None)] = grand_total
    hidden = {key for key, fig in value.items() if is_small(fig.people)}

    def cell(r, c):
        return ("cell", (r, c))

    def settle(members: list, total_key) -> bool:
        """If exactly one member of a published line is hidden, hide one more (or the total)."""
        if total_key in hidden:
            return False
        present = [m for m in members if m in value]
        hidden_here = [m for m in present if m in hidden]
        if len(hidden_here) != 1:
            return False
        candidates = sorted((value[m].count, str(m)) for m in present if m not in hidden and value[m].count > 0)
        if candidates:
            smallest = next(m for m in present if m not in hidden and value[m].count > 0
                            and (value[m].count, str(m)) == candidates[0])
            hidden.add(smallest)
        else:
            hidden.add(total_key)
        return True

    changed = True
    while changed:
        changed = False
        for r in rows:
            changed |= settle([cell(r, c) for c in cols], ("row", r))
        for c in cols:
            changed |= settle([cell(r, c) for r in rows], ("col", c))
        changed |= settle([("col", c) for c in cols], ("grand", None))
        changed |= settle([("row", r) for r in rows], ("grand", None))

    def shown(key):
        return None if key in hidden else value[key].count

    return SuppressedTable(
        cells={key: shown(("cell", key)) for key in cells},
        row_totals={r: shown(("row", r)) for r in rows},
        col_totals={c: shown(("col", c)) for c in cols},
        grand_total=shown(("grand", None)),
        hidden=hidden,
    )
