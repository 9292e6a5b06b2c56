"""Tell a user something: a note on their start page (always) and, when they have an address,
a mail as their setting for its kind says (notifications/delivery.py): in the outbox now
(written in the same transaction, sent by the send_mail job after commit), in the daily
digest, or none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from marketplace.auth.models import User
from marketplace.notifications.delivery import deliver
from marketplace.notifications.mail_templates import Mail
from marketplace.notifications.models import Notification


def notify(
    session: Session,
    *,
    user: User,
    message: str,
    now: datetime,
    link: str | None = None,
    mail: Mail | None = None,
) -> Notification:
    """Queue a start-page note and (if `mail` is given) an e-mail; nothing leaves before commit.

    The note may quote free text (a rejection reason): it is read after signing in. The mail
    is only ever a marketplace/mail_templates.py template, never the note's text.
    Takes the loaded user, not an id: callers already hold the row (no read per recipient).
    """
    note = Notification(user_id=user.id, created_at=now, message=message[:500], link=link)
    session.add(note)
    if mail is not None:
        deliver(session, user, mail, now=now)
    return note
