"""The only source of "now" and "today" (Europe/Stockholm). No Flask.

Adapters call now()/today() and pass the value into use cases; domain code never reads
the clock itself. INSATSTORGET_NOW (or freeze()) stops time for demos and tests.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_log = logging.getLogger(__name__)
_frozen: datetime | None = None


def freeze(moment: datetime | None) -> None:
    """Stop the clock at `moment` (naive means Stockholm time); None lets it run again."""
    global _frozen
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=STOCKHOLM)
    if moment is not None and moment != _frozen:
        _log.warning("The clock is frozen at %s (INSATSTORGET_NOW); do not use this in production.", moment.isoformat())
    _frozen = moment


def is_frozen() -> bool:
    return _frozen is not None


def now() -> datetime:
    """The current moment, timezone-aware, in UTC (timestamps are stored in UTC)."""
    if _frozen is not None:
        return _frozen.astimezone(timezone.utc)
    return datetime.now(timezone.utc)


def today() -> date:
    """Today's calendar date in Stockholm."""
    return now().astimezone(STOCKHOLM).date()


def local(moment: datetime) -> datetime:
    """A stored timestamp (UTC; naive ones are taken as UTC) shown in Stockholm time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(STOCKHOLM)
