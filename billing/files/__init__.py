"""Pure writers of a closed month's cost-transfer files: lines in, deterministic bytes out.

Every writer streams to a binary file object (so a month of a million lines never sits in
memory) and has a `-> bytes` form for small months and tests. Dates inside the files come
from the period's stored close time, never from the clock, so a file made again is
byte-identical.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FileHeader:
    """What a file says about its month besides the lines."""

    period: str
    closed_at: datetime  # UTC, from BillingPeriod.closed_at
    organisation_name: str = "Stockholms stad"
