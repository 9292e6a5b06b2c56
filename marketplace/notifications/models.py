"""Start-page notes and the mail outbox (mail written in the same transaction as its cause)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class OutboxMessage(SQLModel, table=True):
    """Mail written in the same transaction as its cause and sent by a job after commit."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    # One optional text attachment (the .ics of a meeting invitation), built by the service
    # from stored fields, never an uploaded file.
    attachment_filename: str | None = Field(default=None, max_length=100)
    attachment_content_type: str | None = Field(default=None, max_length=100)
    attachment: str | None = Field(default=None, sa_type=Text)


class Notification(SQLModel, table=True):
    """A message on a user's start page (the answer to a request, a freed place, a reminder)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    message: str = Field(max_length=500)
    link: str | None = Field(default=None, max_length=300)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
