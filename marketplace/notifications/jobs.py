"""Scheduler job: the daily digest (07:00 Europe/Stockholm) of the mail people chose to get
once a day (notifications/preferences.py, DAILY).

One mail per user per Stockholm day, whatever happens: the digest row is unique per user and
day and is written in the same transaction as the mail and the items it takes, so a second
run the same day, or a second worker at the same time, sends nothing more (its insert
fails and its transaction is rolled back). Items held back after a day's digest wait for the
next day's. No Flask.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import marketplace.operations.schema  # noqa: F401  (every mapped table, so the job runs in any process)
from marketplace.auth.models import User
from marketplace.kernel import clock
from marketplace.kernel.db import transaction
from marketplace.notifications.delivery import enqueue
from marketplace.notifications.mail_templates import digest_mail
from marketplace.notifications.models import DailyDigest, DigestItem

_log = logging.getLogger(__name__)
BATCH = 200


def _waiting_users(engine, now: datetime, after: int) -> list[int]:
    with Session(engine) as session:
        return list(session.execute(
            select(DigestItem.user_id).where(DigestItem.digest_id.is_(None), DigestItem.created_at <= now,
                                             DigestItem.user_id > after)
            .group_by(DigestItem.user_id).order_by(DigestItem.user_id).limit(BATCH)).scalars())


def _send_one(engine, user_id: int, day: date, now: datetime) -> bool:
    """The user's digest of `day`; False when it was already sent (or there is nothing)."""
    try:
        with Session(engine) as session, transaction(session, write_lock=True):
            done = session.execute(select(DailyDigest.id).where(DailyDigest.user_id == user_id,
                                                                 DailyDigest.day == day)).first()
            if done is not None:
                return False
            items = list(session.execute(
                select(DigestItem).where(DigestItem.user_id == user_id, DigestItem.digest_id.is_(None),
                                         DigestItem.created_at <= now)
                .order_by(DigestItem.created_at, DigestItem.id)).scalars())
            if not items:
                return False
            digest = DailyDigest(user_id=user_id, day=day, created_at=now, items=len(items))
            session.add(digest)
            session.flush()  # another worker's digest of this user and day: IntegrityError, all rolled back
            for item in items:
                item.digest_id = digest.id
            user = session.get(User, user_id)
            if user is not None and user.active and user.email:
                enqueue(session, user.email, digest_mail(day, [(i.mail_kind, i.ref) for i in items]), now=now)
            return True
    except IntegrityError:
        return False


def send_daily_digests(ctx) -> int:
    """Send every waiting user today's digest; returns how many were sent."""
    day = clock.local(ctx.now).date()
    sent, after = 0, 0
    while True:
        users = _waiting_users(ctx.engine, ctx.now, after)
        for user_id in users:
            sent += _send_one(ctx.engine, user_id, day, ctx.now)
        if len(users) < BATCH:
            break
        after = users[-1]
    _log.info("daily digest: %d sent for %s", sent, day.isoformat())
    return sent
