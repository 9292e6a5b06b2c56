"""Scheduler jobs of the booking flow (registered in marketplace/scheduler.py).

Each opens its own transaction per booking, calls one use case, logs one line and returns
a count. Each is idempotent for its `now`: the use cases re-read the booking under the
programme lock and do nothing when another run got there first, so two schedulers
running one job at once change every booking once.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from marketplace.bookings import flow, next_free_index, queries
from marketplace.bookings.mail import deliver_outbox
from marketplace.bookings.models import Booking
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Conflict

_log = logging.getLogger(__name__)


def _session(ctx) -> Session:
    return Session(ctx.engine, expire_on_commit=False)


def expire_holds(ctx) -> int:
    """Expire requests whose hold ran out, then offer every freed place to the waitlist.

    Also offers places freed without a transition (a hold that lapsed, a capacity raised
    by the coordinator). Returns expired + offered.
    """
    hold_days = ctx.settings.hold_days
    with _session(ctx) as session:
        due = queries.ids_due_to_expire(session, now=ctx.now)
    expired = offered = 0
    for booking_id in due:
        with _session(ctx) as session, transaction(session, write_lock=True):
            booking = session.get(Booking, booking_id)
            result = flow.expire_hold(session, booking, now=ctx.now, hold_days=hold_days) if booking else None
            if result is not None:
                expired += 1
                offered += len(result)
    with _session(ctx) as session:
        programme_ids = queries.programmes_with_waitlist(session, today=ctx.now.astimezone(STOCKHOLM).date())
    for programme_id in programme_ids:
        with _session(ctx) as session, transaction(session, write_lock=True):
            offered += len(flow.offer_freed_places(session, programme_id, now=ctx.now, hold_days=hold_days))
    _log.info("expire_holds: %d expired, %d offered from the waitlist", expired, offered)
    return expired + offered


def refresh_next_free_dates(ctx) -> int:
    """Store the next free date of every programme whose stored one went stale (a booking, an
    expired hold, a new day); searches compute stale ones themselves, so this only keeps them few."""
    written = next_free_index.refresh_all_stale(lambda: _session(ctx), today=ctx.now.astimezone(STOCKHOLM).date(),
                                                now=ctx.now)
    _log.info("refresh_next_free_dates: %d stored", written)
    return written


def start_placements(ctx) -> int:
    """Move approved placements whose start date has come to active."""
    today = ctx.now.astimezone(STOCKHOLM).date()
    with _session(ctx) as session:
        due = queries.ids_due_to_start(session, today=today)
    started = 0
    for booking_id in due:
        with _session(ctx) as session:
            try:
                with transaction(session, write_lock=True):
                    booking = session.get(Booking, booking_id)
                    flow.start_booking(session, booking, now=ctx.now, today=today)
            except Conflict:
                continue  # started, cancelled or ended by someone else meanwhile
            started += 1
    _log.info("start_placements: %d started", started)
    return started


def send_mail(ctx) -> int:
    """Send due outbox mail (when SMTP is configured); failures are retried later."""
    sent = deliver_outbox(ctx.engine, ctx.settings, now=ctx.now)
    _log.info("send_mail: %d sent", sent)
    return sent
