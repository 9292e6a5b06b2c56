"""The audit log table: append-only (no update or delete path exists in the code)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class AuditLog(SQLModel, table=True):
    """Who did or read what, when, from where. Never stores participant names."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_object", "object_type", "object_id"),
        Index("ix_audit_log_actor_at", "actor_id", "at"),
        Index("ix_audit_log_action_at", "action", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None)
    actor_email: str | None = Field(default=None, max_length=254)
    organisation_code: str | None = Field(default=None, max_length=16)
    action: str = Field(max_length=60)
    object_type: str = Field(max_length=40)
    object_id: str | None = Field(default=None, max_length=60)
    ip: str | None = Field(default=None, max_length=64)
    outcome: str = Field(default="ok", max_length=20)
    details: dict = Field(default_factory=dict, sa_type=JSON)
