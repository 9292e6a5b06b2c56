"""Billing tables: closed months, their immutable charge lines, and the files made from them.

A ChargeLine copies the names and accounting codes in force when its month was closed, so
a closed month's files can be rebuilt byte for byte from its rows alone, whatever changes later.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class PeriodStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class LineKind(StrEnum):
    CHARGE = "charge"
    CORRECTION = "correction"
    CREDIT = "credit"  # an accepted dispute's credit, naming the disputed month in corrects_period


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    SIE = "sie"


class BillingPeriod(SQLModel, table=True):
    """A month, 'YYYY-MM'. A row exists once the month is closed; closed_at fixes the files' dates."""

    __tablename__ = "billing_period"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="ck_billing_period_status"),)

    period: str = Field(primary_key=True, max_length=7)
    status: str = Field(default=PeriodStatus.OPEN.value, max_length=8)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    closed_by_name: str | None = Field(default=None, max_length=200)
    line_count: int = 0
    # A month's total passes 2^31 öre (21.5 million kronor) at national scale: 64-bit.
    total_ore: int = Field(default=0, sa_type=BigInteger)


class ChargeLine(SQLModel, table=True):
    """One amount owed by a buyer to a provider for one booking: written once, never changed.

    kind 'charge' is the month's own cost (corrects_period = ''); kind 'correction' adjusts
    an earlier closed month named by corrects_period; kind 'credit' gives back what accepted
    disputes of the month named by corrects_period agreed (billing.disputes). The unique key makes a second close
    of the same month, or a retried one, unable to write a line twice.
    """

    __tablename__ = "charge_line"
    __table_args__ = (
        UniqueConstraint("booking_id", "period", "kind", "corrects_period", name="uq_charge_line_once"),
        CheckConstraint("kind IN ('charge', 'correction', 'credit')", name="ck_charge_line_kind"),
        CheckConstraint("(kind = 'charge') = (corrects_period = '')", name="ck_charge_line_corrects"),
        CheckConstraint("unit IN ('month', 'day', 'placement')", name="ck_charge_line_unit"),
        Index("ix_charge_line_period_order", "period", "buyer_code", "provider_code", "booking_ref", "kind", "corrects_period"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)
    kind: str = Field(max_length=12)
    corrects_period: str = Field(default="", max_length=7)
    booking_id: int = Field(foreign_key="booking.id")
    booking_ref: str = Field(max_length=20)
    programme_code: str = Field(max_length=40)
    programme_name: str = Field(max_length=200)
    buyer_organisation_id: int = Field(foreign_key="organisation.id")
    buyer_code: str = Field(max_length=16)
    buyer_name: str = Field(max_length=200)
    buyer_cost_centre: str = Field(max_length=20)
    buyer_cost_account: str = Field(max_length=10)
    provider_organisation_id: int = Field(foreign_key="organisation.id")
    provider_code: str = Field(max_length=16)
    provider_name: str = Field(max_length=200)
    provider_cost_centre: str = Field(max_length=20)
    provider_revenue_account: str = Field(max_length=10)
    from_date: date
    to_date: date
    days: int
    unit_price_ore: int
    unit: str = Field(max_length=12)
    amount_ore: int
    rule: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class TransferFile(SQLModel, table=True):
    """A closed month's file: its checksum is fixed at first write; bytes live under the instance folder."""

    __tablename__ = "transfer_file"
    __table_args__ = (UniqueConstraint("period", "format", name="uq_transfer_file_period_format"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(foreign_key="billing_period.period", max_length=7)
    format: str = Field(max_length=8)
    filename: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    size: int
    path: str = Field(max_length=500)  # relative to the instance folder
    created_at: datetime = Field(sa_type=UTCDateTime)


class ImmutableRow(RuntimeError):
    """Someone tried to change or delete a charge line; closed months never change."""


@event.listens_for(ChargeLine, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise ImmutableRow(f"charge line {target.id} is immutable")


@event.listens_for(ChargeLine, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise ImmutableRow(f"charge line {target.id} is immutable")
