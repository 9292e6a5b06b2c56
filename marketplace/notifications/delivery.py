"""The one decision on how a mail reaches a user: now (the outbox), in tomorrow morning's
digest, or not at all, by their setting for the mail's kind (notifications/preferences.py).

Every feature's mail passes through notify() and so through deliver(); no caller decides
this itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from marketplace.auth.models import User
from marketplace.notifications import preferences
from marketplace.notifications.mail_templates import Mail
from marketplace.notifications.models import DigestItem, OutboxMessage


def enqueue(session: Session, recipient: str, mail: Mail, *, now: datetime) -> OutboxMessage:
    """Write `mail` to the outbox (sent by the send_mail job after commit)."""
    attachment = mail.attachment
    message = OutboxMessage(recipient=recipient, subject=mail.subject[:300], body=mail.body, created_at=now,
                            next_attempt_at=now,
                            attachment_filename=attachment.filename if attachment else None,
                            attachment_content_type=attachment.content_type if attachment else None,
                            attachment=attachment.text if attachment else None)
    session.add(message)
    return message


def deliver(session: Session, user: User, mail: Mail, *, now: datetime) -> str | None:
    """Send, hold for the digest or drop `mail` for `user`; returns which (None: no address)."""
    if not (user.active and user.email):
        return None
    kind = preferences.kind_of(mail.kind)
    choice = preferences.choice_for(session, user.id, kind) if kind else preferences.IMMEDIATELY
    if choice == preferences.DAILY and mail.ref:
        session.add(DigestItem(user_id=user.id, mail_kind=mail.kind, ref=mail.ref, created_at=now))
        return preferences.DAILY
    if choice == preferences.NEVER:
        return preferences.NEVER
    enqueue(session, user.email, mail, now=now)
    return preferences.IMMEDIATELY
