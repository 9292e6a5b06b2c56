"""Scheduled upkeep of the catalogue: remind coordinators to confirm their listings, mark the
listings not confirmed for CONFIRM_STALE_DAYS as stale (search ranks them last), pause
programmes whose validity has ended. Each job is idempotent for its `now`."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from catalog import programmes as catalogue
from catalog.models import Programme, ProgrammeStatus
from catalog.rules import CONFIRM_REMIND_DAYS, CONFIRM_STALE_DAYS
from marketplace import audit
from marketplace.bookings.public import coordinators_of
from marketplace.kernel import clock
from marketplace.kernel.db import lock_programme, transaction
from marketplace.notifications.mail_templates import programme_mail
from marketplace.notifications.notify import notify

BATCH = 200
KEPT = (ProgrammeStatus.PUBLISHED.value, ProgrammeStatus.PAUSED.value)


def remind_unconfirmed_programmes(ctx) -> int:
    """Once per confirmation: a start-page note and a mail to the coordinators of every published
    or paused programme last confirmed CONFIRM_REMIND_DAYS ago or more. Returns programmes reminded.

    confirm_reminded_at marks the reminder in the same transaction as the notes; confirming
    clears it, so the next period reminds again.
    """
    due = ctx.now - timedelta(days=CONFIRM_REMIND_DAYS)
    confirmed = func.coalesce(Programme.confirmed_at, Programme.created_at)
    reminded = 0
    with Session(ctx.engine, expire_on_commit=False) as session:
        while True:
            with transaction(session):
                batch = session.execute(
                    select(Programme).where(Programme.status.in_(KEPT), Programme.confirm_reminded_at.is_(None),
                                            confirmed <= due)
                    .order_by(Programme.id).limit(BATCH)
                ).scalars().all()
                for programme in batch:
                    since = clock.local(catalogue.confirmed_since(programme)).date().isoformat()
                    for user in coordinators_of(session, programme.organisation_id):
                        notify(session, user=user, now=ctx.now, link=f"/insatser/{programme.id}",
                               message=f"Bekräfta att {programme.name} är aktuell (senast bekräftad {since}).",
                               mail=programme_mail("programme_confirm_reminder", programme.id))
                    programme.confirm_reminded_at = ctx.now
            reminded += len(batch)
            if len(batch) < BATCH:
                return reminded


def mark_stale_programmes(ctx) -> int:
    """Set Programme.stale on every listing last confirmed CONFIRM_STALE_DAYS ago or more (never
    confirmed: since its creation) and clear it on the others; returns the rows changed.

    Search orders by the stored flag (catalog/search.py), so it reads results from an index
    instead of comparing every match's confirmed_at with the clock. The programme page and
    the API's not_confirmed_since read confirmed_at directly; confirming clears the flag at
    once (catalog.programmes.confirm_programme). Two UPDATEs that touch only rows whose flag
    changes: a second run for the same `now` writes nothing.
    """
    due = ctx.now - timedelta(days=CONFIRM_STALE_DAYS)
    confirmed = func.coalesce(Programme.confirmed_at, Programme.created_at)
    with Session(ctx.engine) as session, transaction(session):
        marked = session.execute(update(Programme).where(Programme.stale.is_(False), confirmed <= due)
                                 .values(stale=True).execution_options(synchronize_session=False)).rowcount
        cleared = session.execute(update(Programme).where(Programme.stale.is_(True), confirmed > due)
                                  .values(stale=False).execution_options(synchronize_session=False)).rowcount
    return marked + cleared


def pause_expired_programmes(ctx) -> int:
    """Pause every published programme whose valid_to has passed (Stockholm date); returns how many.

    Bookings already made are kept (none runs past valid_to: flow.validate_request refuses it).
    """
    today = clock.local(ctx.now).date()
    paused = 0
    with Session(ctx.engine, expire_on_commit=False) as session:
        while True:
            with transaction(session, write_lock=True):
                ids = session.execute(
                    select(Programme.id).where(Programme.status == ProgrammeStatus.PUBLISHED.value,
                                               Programme.valid_to < today).order_by(Programme.id).limit(BATCH)
                ).scalars().all()
                for programme_id in ids:
                    lock_programme(session, programme_id)
                    programme = session.get(Programme, programme_id)
                    session.refresh(programme)
                    if programme.status != ProgrammeStatus.PUBLISHED.value:
                        continue
                    catalogue.pause_programme(session, programme, actor_id=None, now=ctx.now)
                    audit.record(session, actor=None, action="programme.pause", object_type="programme",
                                 object_id=programme.id, now=ctx.now,
                                 details={"from": "published", "to": "paused", "valid_to": programme.valid_to.isoformat()})
            paused += len(ids)
            if len(ids) < BATCH:
                return paused
