"""Start-page notes and the mail outbox (mail written in the same transaction as its cause)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, Text, UniqueConstraint
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

    # The header's unread count on every page: one COUNT over this index.
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    message: str = Field(max_length=500)
    link: str | None = Field(default=None, max_length=300)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class NotificationSetting(SQLModel, table=True):
    """How a user wants mail of one kind: immediately, daily (in the digest) or never.

    No row means immediately. The in-app note is always kept whatever the setting."""

    __tablename__ = "notification_setting"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    kind: str = Field(max_length=20, primary_key=True)
    mail: str = Field(max_length=12)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class DigestItem(SQLModel, table=True):
    """A mail held back for the daily digest: a template kind and a booking ref, nothing else."""

    __tablename__ = "digest_item"
    __table_args__ = (Index("ix_digest_item_pending", "digest_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    mail_kind: str = Field(max_length=40)
    ref: str = Field(max_length=30)
    created_at: datetime = Field(sa_type=UTCDateTime)
    digest_id: int | None = Field(default=None, foreign_key="daily_digest.id")


class DailyDigest(SQLModel, table=True):
    """One user's digest of one Stockholm day; unique, so a second run or worker sends nothing more."""

    __tablename__ = "daily_digest"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_daily_digest_user_day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    day: date
    created_at: datetime = Field(sa_type=UTCDateTime)
    items: int = 0
