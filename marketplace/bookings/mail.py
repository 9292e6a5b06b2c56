"""Deliver the mail outbox over SMTP (Settings.smtp_*), after the causing transaction committed.

A message is claimed (attempts + 1, next attempt pushed past a lease) in its own committed
transaction before it is sent, so two senders never send it at once; a failure records
last_error and retries with exponential backoff. Nothing is ever deleted: a message waits
in the outbox until a server accepts it. No Flask.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from marketplace.kernel.config import Settings
from marketplace.kernel.db import transaction
from marketplace.notifications.models import OutboxMessage

_log = logging.getLogger(__name__)
CLAIM = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
SMTP_TIMEOUT_SECONDS = 20
# Refusals of one message; anything else (connection lost, timeout) stops the run.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after the 1st, 2nd, 3rd … failure, at most six hours."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(now: datetime):
    return (OutboxMessage.sent_at.is_(None),
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))


def _claim(engine, message_id: int, now: datetime) -> OutboxMessage | None:
    with Session(engine, expire_on_commit=False) as session, transaction(session):
        claimed = session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message_id, *_due(now))
            .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now + CLAIM)
        ).rowcount
        return session.get(OutboxMessage, message_id) if claimed else None


def _finish(engine, message: OutboxMessage, now: datetime, error: str | None) -> None:
    with Session(engine) as session, transaction(session):
        values = {"sent_at": now, "last_error": None} if error is None else {
            "last_error": error[:2000], "next_attempt_at": now + backoff(message.attempts)}
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(**values))


def _connect(settings: Settings) -> smtplib.SMTP:
    server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    if settings.smtp_starttls:
        server.starttls()
    if settings.smtp_user:
        server.login(settings.smtp_user, settings.smtp_password or "")
    return server


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = sender, message.recipient, message.subject
    email["Message-ID"] = f"<outbox-{message.id}@insatstorget>"  # the same id on a retry
    email.set_content(message.body)
    if message.attachment is not None:
        maintype, _, rest = (message.attachment_content_type or "text/plain").partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        extra = dict(param.split("=", 1) for param in params if "=" in param)
        email.add_attachment(message.attachment, subtype=subtype or "plain", filename=message.attachment_filename,
                             params=extra)
    return email


def deliver_outbox(engine, settings: Settings, *, now: datetime, limit: int = 200) -> int:
    """Send the due messages; return how many a server accepted. Without smtp_host, send none."""
    if not settings.smtp_host:
        return 0
    with Session(engine) as session:
        ids = list(session.execute(select(OutboxMessage.id).where(*_due(now)).order_by(OutboxMessage.id).limit(limit)).scalars())
    sent, server = 0, None
    try:
        for message_id in ids:
            message = _claim(engine, message_id, now)
            if message is None:
                continue  # another sender has it
            try:
                server = server or _connect(settings)
                server.send_message(_as_email(message, settings.mail_from))
            except (smtplib.SMTPException, OSError) as error:
                _finish(engine, message, now, f"{error.__class__.__name__}: {error}")
                _log.warning("mail %s to outbox failed (attempt %s): %s", message.id, message.attempts, error.__class__.__name__)
                if not isinstance(error, MESSAGE_ERRORS):
                    break  # the server is away: the rest wait for the next run, unclaimed
                continue
            _finish(engine, message, now, None)
            sent += 1
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                pass
    return sent
