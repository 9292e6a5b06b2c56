"""Booking (a placement), its event trail, idempotency records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class BookingStatus(StrEnum):
    REQUESTED = "requested"
    WAITLISTED = "waitlisted"
    APPROVED = "approved"
    ACTIVE = "active"
    ENDED = "ended"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class Outcome(StrEnum):
    WORK = "work"
    STUDIES = "studies"
    OWN_SUPPORT = "own_support"
    JOBBTORG = "jobbtorg"
    SOCIAL_INSURANCE = "social_insurance"
    PENSION = "pension"
    OTHER_PROGRAMME = "other_programme"
    INTERRUPTED = "interrupted"
    OTHER = "other"


class Booking(SQLModel, table=True):
    """One participant's place in one programme, bought by one organisation."""

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ck_booking_dates"),
        CheckConstraint(
            "status IN ('requested','waitlisted','approved','active','ended','rejected','cancelled','expired')",
            name="ck_booking_status",
        ),
        Index("ix_booking_programme_status_dates", "programme_id", "status", "start_date", "end_date"),
        # Capacity questions ask "which bookings of this programme reach past day D": with
        # end_date second only current and future bookings are read, not the programme's
        # history (EXPLAIN in benchmarks/RESULTS.md: free places of a result page 1.9 -> 0.5 ms).
        Index("ix_booking_programme_end_dates", "programme_id", "end_date", "start_date",
              postgresql_include=["status", "hold_expires_at"]),
        Index("ix_booking_buyer_status", "buyer_organisation_id", "status"),
        # Billing corrections ask "which bookings changed since the month was closed": without
        # it, previewing or closing a month read the whole table (migration 0007).
        Index("ix_booking_updated_at", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(max_length=20, sa_column_kwargs={"unique": True}, nullable=False)
    programme_id: int = Field(foreign_key="programme.id")
    buyer_organisation_id: int = Field(foreign_key="organisation.id")
    requester_id: int = Field(foreign_key="app_user.id", index=True)
    status: str = Field(max_length=12)
    start_date: date
    end_date: date
    # The price agreed when the place was requested (copied from the programme); billing
    # prices from these, so a later change to the catalogue never rewrites a placement.
    price_ore: int
    price_unit: str = Field(max_length=12)
    # Participant data: erased (set to None) by retention; the reference stays.
    participant_reference: str = Field(max_length=100)
    participant_name: str | None = Field(default=None, max_length=200)
    participant_contact: str | None = Field(default=None, max_length=300)
    participant_needs: str | None = Field(default=None, sa_type=Text)
    # The participant's age as stated on the request (checked against the programme's range).
    participant_age: int | None = None
    # The participant's target group as stated on the request (a code): a reservation for it
    # lets the request use reserved places (catalog.models.ProgrammeReservation).
    participant_target_group: str | None = Field(default=None, max_length=40)
    personal_data_erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assignment_purpose: str = Field(sa_type=Text)
    assignment_goals: str = Field(sa_type=Text)
    assignment_sub_goals: str = Field(default="", sa_type=Text)
    assignment_tasks: str = Field(sa_type=Text)
    assignment_participant_view: str = Field(default="", sa_type=Text)
    fia_completed: bool = False
    decision_reference: str | None = Field(default=None, max_length=100)
    decision_date: date | None = None
    hold_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    waitlisted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    decision_reason: str | None = Field(default=None, sa_type=Text)
    outcome: str | None = Field(default=None, max_length=20)
    # A requested extension of end_date, waiting for the provider's decision.
    extension_end_date: date | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    version: int = 1


class BookingEvent(SQLModel, table=True):
    """Every transition of a booking: who, when, from, to, note. Never updated."""

    __tablename__ = "booking_event"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str = Field(max_length=12)
    note: str = Field(default="", sa_type=Text)


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a create with an Idempotency-Key, replayed for retries."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    key: str = Field(max_length=200)
    booking_id: int | None = Field(default=None, foreign_key="booking.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    # SHA-256 of the whole request (marketplace/bookings/fingerprint.py); None on records made
    # before migration 0010.
    fingerprint: str | None = Field(default=None, max_length=64)
