"""Tell a user something: a note on their start page and, when they have an address, a mail
in the outbox (written in the same transaction, sent by the send_mail job after commit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from marketplace.auth.models import User
from marketplace.notifications.mail_templates import Mail
from marketplace.notifications.models import Notification, OutboxMessage


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
    if mail is not None and user.active and user.email:
        attachment = mail.attachment
        session.add(OutboxMessage(recipient=user.email, subject=mail.subject[:300],
                                  body=mail.body, created_at=now, next_attempt_at=now,
                                  attachment_filename=attachment.filename if attachment else None,
                                  attachment_content_type=attachment.content_type if attachment else None,
                                  attachment=attachment.text if attachment else None))
    return note
