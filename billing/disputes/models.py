"""The dispute table: one buyer's objection to what one booking cost in one month.

A dispute is raised open and resolved once (accepted or rejected); the credit, in öre, is
what the provider agreed to give back. The credit itself is never written here: the close
of the next month turns accepted credits into charge lines of kind 'credit'
(billing.disputes.credits), so the month files stay the only record of money.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, Text, text
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class Dispute(SQLModel, table=True):
    __tablename__ = "billing_dispute"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'resolved')", name="ck_billing_dispute_status"),
        CheckConstraint("(status = 'open') = (decision IS NULL)", name="ck_billing_dispute_decided"),
        CheckConstraint("decision IS NULL OR decision IN ('accepted', 'rejected')", name="ck_billing_dispute_decision"),
        CheckConstraint("credit_ore >= 0 AND (credit_ore = 0 OR COALESCE(decision, '') = 'accepted')", name="ck_billing_dispute_credit"),
        # One open dispute per booking and month: a second one waits for the first answer.
        Index("uq_billing_dispute_open", "booking_id", "period", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        Index("ix_billing_dispute_buyer", "buyer_organisation_id", "status"),
        Index("ix_billing_dispute_provider", "provider_organisation_id", "status"),
        Index("ix_billing_dispute_period", "period", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    booking_ref: str = Field(max_length=20)
    period: str = Field(max_length=7)  # the disputed month; the credit line's correction_of
    buyer_organisation_id: int = Field(foreign_key="organisation.id")
    provider_organisation_id: int = Field(foreign_key="organisation.id")
    reason: str = Field(sa_type=Text)
    status: str = Field(default=DisputeStatus.OPEN.value, max_length=10)
    decision: str | None = Field(default=None, max_length=10)
    credit_ore: int = Field(default=0, sa_type=BigInteger)
    note: str = Field(default="", sa_type=Text)
    raised_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    raised_by_name: str = Field(max_length=200)
    raised_at: datetime = Field(sa_type=UTCDateTime)
    resolved_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    resolved_by_name: str | None = Field(default=None, max_length=200)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
