"""A user's own notifications: the list (all or unread), the unread count for the page
header, and marking them read. Always scoped to one user: another's id is not found."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace.kernel.errors import NotFound
from marketplace.notifications.models import Notification


def _mine(user_id: int, unread: bool):
    conditions = [Notification.user_id == user_id]
    if unread:
        conditions.append(Notification.read_at.is_(None))
    return conditions


def page_of(session: Session, user_id: int, *, unread: bool = False, offset: int = 0,
            limit: int = 20) -> tuple[list[Notification], int]:
    """Newest first, with the total of the same filter."""
    conditions = _mine(user_id, unread)
    total = session.execute(select(func.count()).select_from(Notification).where(*conditions)).scalar_one()
    rows = list(session.execute(
        select(Notification).where(*conditions).order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(offset).limit(limit)).scalars())
    return rows, total


def unread_count(session: Session, user_id: int) -> int:
    """One COUNT over ix_notification_user_unread (every page's header runs it)."""
    return session.execute(select(func.count()).select_from(Notification)
                           .where(*_mine(user_id, unread=True))).scalar_one()


def own(session: Session, user_id: int, notification_id: int) -> Notification:
    """The user's notification `notification_id`; NotFound for an unknown one or another user's."""
    note = session.execute(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == user_id)).scalar_one_or_none()
    if note is None:
        raise NotFound("Aviseringen finns inte.", code="notification_not_found")
    return note


def mark_read(session: Session, user_id: int, notification_id: int, *, now: datetime) -> Notification:
    """Mark one read (again is a no-op: the first time it was read stays)."""
    note = own(session, user_id, notification_id)
    if note.read_at is None:
        note.read_at = now
        session.flush()
    return note


def mark_all_read(session: Session, user_id: int, *, now: datetime) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return session.execute(update(Notification).where(*_mine(user_id, unread=True))
                           .values(read_at=now)).rowcount
