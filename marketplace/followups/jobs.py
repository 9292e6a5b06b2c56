"""Scheduled work for follow-ups: repair schedules the signal missed, remind of overdue ones."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.kernel import clock
from marketplace.auth.models import Role, User
from marketplace.kernel.db import transaction
from marketplace.followups import flow, queries
from marketplace.followups.signals import followup_due
from marketplace.notifications.mail_templates import mail
from marketplace.notifications.notify import notify

_log = logging.getLogger(__name__)


def sweep_schedules(session: Session, *, now) -> int:
    """Run ensure_schedule over every booking whose schedule may be off; returns bookings changed."""
    changed, after_id = 0, 0
    while batch := queries.bookings_needing_schedule(session, after_id=after_id):
        for booking in batch:
            changed += flow.ensure_schedule(session, booking, now=now).changed
        after_id = batch[-1].id
    return changed


def _recipients(session: Session, booking, programme) -> set[int]:
    """The requester (buyer's staff) and the provider's active coordinators."""
    ids = {booking.requester_id}
    for user in session.execute(select(User).where(User.organisation_id == programme.organisation_id,
                                                   User.active.is_(True))).scalars():
        if user.has_role(Role.COORDINATOR):
            ids.add(user.id)
    return ids


def remind_overdue_followups(ctx) -> int:
    """Remind once per overdue follow-up (start page + mail); returns reminders sent.

    Idempotent: reminded_at marks a follow-up as reminded in the same transaction as the
    notes, so a rerun (or a second scheduler) finds nothing left to do.
    """
    today = ctx.now.astimezone(clock.STOCKHOLM).date()
    with Session(ctx.engine, expire_on_commit=False) as session:
        with transaction(session):
            repaired = sweep_schedules(session, now=ctx.now)
        sent = 0
        while True:
            with transaction(session):
                batch = queries.overdue_unreminded(session, today=today, limit=200)
                for followup, booking, programme in batch:
                    message = (f"Uppföljning {followup.sequence} av placering {booking.ref} ({programme.name}) "
                               f"skulle ha gjorts {followup.due_date.isoformat()}.")
                    for user_id in _recipients(session, booking, programme):
                        notify(session, user=session.get(User, user_id), message=message, now=ctx.now,
                               link=f"/uppfoljningar/{followup.id}",
                               mail=mail("followup_overdue", booking.ref))
                    followup.reminded_at = ctx.now
                    followup_due.send(followup, session=session, booking=booking, programme=programme, now=ctx.now)
                    sent += 1
            if len(batch) < 200:
                break
    _log.info("follow-ups: %d schedules repaired, %d overdue reminded", repaired, sent)
    return sent
