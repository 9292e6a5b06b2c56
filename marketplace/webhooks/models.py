"""Webhook endpoints, the delivery outbox and every attempt made."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime
from marketplace.kernel.field_crypto import EncryptedString


class WebhookEndpoint(SQLModel, table=True):
    """An organisation's receiver: its URL, the events it wants and its signing secret (encrypted)."""

    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    url: str = Field(max_length=2000)
    events: str = Field(max_length=1000)  # space-separated event types
    secret: str = Field(max_length=64, sa_type=EncryptedString)  # "whsec_…", encrypted at rest
    created_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    active: bool = True

    @property
    def event_set(self) -> frozenset[str]:
        return frozenset(self.events.split())


class WebhookDelivery(SQLModel, table=True):
    """One message for one endpoint: pending until a 2xx answer (delivered) or 24 hours (failed)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    message_id: str = Field(max_length=40, sa_column_kwargs={"unique": True}, nullable=False)
    event_type: str = Field(max_length=40)
    payload: str = Field(sa_type=Text)  # the exact JSON body sent (ids, refs, statuses, dates)
    status: str = Field(default="pending", max_length=12)  # pending | delivered | failed
    attempts: int = 0
    created_at: datetime = Field(sa_type=UTCDateTime)
    next_attempt_at: datetime = Field(sa_type=UTCDateTime)
    delivered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class WebhookAttempt(SQLModel, table=True):
    """One try to deliver: when, the HTTP status (None when no answer) and a short error."""

    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="webhook_delivery.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    status_code: int | None = None
    error: str | None = Field(default=None, max_length=200)
