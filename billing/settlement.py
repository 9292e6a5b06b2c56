"""What one booking's month comes to once credits and later changes meet: never below zero.

A credit is agreed when a dispute is accepted, but written only by a later close; the booking can
change in between or afterwards (cancelled, ended earlier, its price corrected), and a correction
then brings the month to its new price. Left apart, the two could give back more than the month
was charged, or take back by a correction what a credit already gave. So every close settles
each booking's month by one rule, for credits and corrections together (billing.corrections
calls it, billing.disputes.service uses the same numbers to cap a credit when it is agreed).

For one booking and one month: *should* is what the month costs now by the price rules;
*agreed* the credits accepted disputes agreed for it; from the stored lines, *billed* is the
month's charge and every correction of it, *credited* every credit line for it (positive).

1. The close credits max(0, min(agreed, should) − credited): a credit gives back at most what
   the month costs now; a credit line once written is never taken back.
2. The close then corrects by what brings the month's net (billed − credited, with the credit of
   step 1) to max(0, should − credited): the correction counts the credits already given, so a
   later drop takes back only what is left of the month, not the same money a second time.

After such a close the month's net is should − min(agreed, should), never negative, and the
credit lines never add up to more than agreed. A credit agreed beyond what the month costs is
not given while it costs less (it is, should the price rise again).
"""

from __future__ import annotations

from typing import NamedTuple


class Settlement(NamedTuple):
    credit_ore: int  # a credit line to write now, as a positive amount given back (0: none)
    correction_ore: int  # a correction line to write now, either sign (0: none)
    credited_ore: int  # what the credit lines give back once this close is written
    net_ore: int  # what the month comes to once this close is written


def settle(*, should: int, billed: int, credited: int, agreed: int) -> Settlement:
    """The credit and the correction a close writes for one booking and month (module rule)."""
    credit = max(0, min(agreed, should) - credited)
    given = credited + credit
    net = max(0, should - given)
    return Settlement(credit, net - (billed - given), given, net)


def creditable(*, should: int, billed: int, agreed: int) -> int:
    """The largest new credit the next close gives in full: what the month costs now by the price
    rules, or what it was billed if that is less (a rise not yet billed is not yet given back),
    less the credits already agreed."""
    return max(0, min(should, billed) - agreed)
