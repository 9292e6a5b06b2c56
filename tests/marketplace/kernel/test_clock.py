"""One clock: frozen by INSATSTORGET_NOW with a warning, dates in Stockholm."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone

from marketplace.kernel import clock
from marketplace.app import create_app


def test_the_setting_freezes_now_and_today_and_warns(settings, caplog):
    settings.now = datetime(2026, 3, 31, 23, 30)  # Stockholm summer time: 21:30 UTC
    with caplog.at_level(logging.WARNING, logger="marketplace.kernel.clock"):
        app = create_app(settings)
    try:
        assert clock.now() == datetime(2026, 3, 31, 21, 30, tzinfo=timezone.utc)
        assert clock.today() == date(2026, 3, 31)
        assert any("frozen" in record.message for record in caplog.records)
    finally:
        clock.freeze(None)
        app.extensions["insatstorget"].engine.dispose()


def test_today_is_the_stockholm_date_not_the_utc_date(frozen_clock):
    frozen_clock(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc))  # 00:30 on 1 January in Stockholm
    assert clock.today() == date(2027, 1, 1)


def test_unfrozen_clock_runs():
    clock.freeze(None)
    assert abs((clock.now() - datetime.now(timezone.utc)).total_seconds()) < 5
