"""Scheduled: close the previous month on/after Settings.billing_close_day and export its files."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from billing import operations
from billing.periods import period_of, previous_period
from billing.storage import export_to_folder
from marketplace.kernel.clock import STOCKHOLM

_log = logging.getLogger(__name__)


def close_previous_month(ctx) -> int:
    """Close last month (Stockholm calendar) once today is on/after the close day; 1 if it closed now.

    Idempotent: on later days it finds the month closed and only re-exports identical files,
    so a run killed halfway is completed by the next one.
    """
    today = ctx.now.astimezone(STOCKHOLM).date()
    if today.day < ctx.settings.billing_close_day:
        return 0
    period = previous_period(period_of(today))
    with Session(ctx.engine, expire_on_commit=False) as session:
        result, files = operations.close_and_store(session, period, actor=None, now=ctx.now,
                                                   instance_path=ctx.settings.instance_path, ip="scheduler")
    if ctx.settings.export_dir is not None:
        target = export_to_folder(files, ctx.settings.export_dir)
        _log.info("billing %s: files in %s", period, target)
    _log.info("billing %s: %s, %d lines", period, "closed" if result.closed_now else "already closed", result.line_count)
    return 1 if result.closed_now else 0
