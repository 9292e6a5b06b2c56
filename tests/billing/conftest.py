"""Shared billing test helpers: close a month the way every adapter does."""

from __future__ import annotations

import pytest

from billing.month_close import close_month
from marketplace.kernel.db import transaction


@pytest.fixture
def close(db):
    """close(period, now, actor=None) -> CloseResult, in its own write transaction."""

    def run(period, now, actor=None):
        with transaction(db, write_lock=True):
            return close_month(db, period, actor=actor, now=now)

    return run
