"""Scheduler job: erase participant data that has passed its retention time.

Runs in small batches, each its own transaction, so a job killed halfway has committed
whole bookings only and the next run erases the rest, each exactly once.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

import marketplace.operations.schema  # noqa: F401  (every mapped table, so the job runs in any process)
from marketplace.bookings.public import Booking
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import transaction
from marketplace.privacy import erase_personal_data, expired_bookings_query

_log = logging.getLogger(__name__)
BATCH = 50


def _erase_batch(engine, ids: list[int], *, decision: str, now, document_dir=None) -> int:
    with Session(engine) as session, transaction(session, write_lock=True):
        erased = 0
        rows = session.execute(select(Booking).where(Booking.id.in_(ids)).order_by(Booking.id).with_for_update())
        for booking in rows.scalars():
            if booking.personal_data_erased_at is None:  # a parallel run got here first
                erase_personal_data(session, booking, actor=None, basis="retention", reason=decision,
                                    decision=decision, now=now, document_dir=document_dir)
                erased += 1
        return erased


def erase_expired_personal_data(ctx) -> int:
    """Erase name, contact and needs of every booking past `retention_months`; returns the count."""
    today = ctx.now.astimezone(STOCKHOLM).date()
    query = expired_bookings_query(today=today, months=ctx.settings.retention_months)
    erased = 0
    while True:
        with Session(ctx.engine) as session:
            ids = list(session.execute(query.limit(BATCH)).scalars())
        if not ids:
            break
        done = _erase_batch(ctx.engine, ids, decision=ctx.settings.retention_decision, now=ctx.now,
                            document_dir=ctx.settings.resolved_document_dir())
        erased += done
        if done == 0:
            break
    _log.info("retention: %d bookings' personal data erased under %s", erased, ctx.settings.retention_decision)
    return erased
