"""A meeting about a booking and the booking's summary (avslutsrapport)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Text
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class MeetingKind(StrEnum):
    START = "start"
    FOLLOW_UP = "follow_up"
    END = "end"


class Meeting(SQLModel, table=True):
    """A planned meeting; cancelling keeps the row and raises its iCalendar SEQUENCE."""

    __tablename__ = "meeting"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ck_meeting_times"),
        CheckConstraint("kind IN ('start','follow_up','end')", name="ck_meeting_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    kind: str = Field(max_length=12)
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    # Free text that may describe the participant: erased with the participant data.
    location: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, sa_type=Text)
    # The iCalendar UID: chosen once, the same in every invitation and cancellation.
    uid: str = Field(max_length=100, sa_column_kwargs={"unique": True}, nullable=False)
    sequence: int = 0
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class BookingSummary(SQLModel, table=True):
    """The provider's summary of an ended placement; its texts are participant data."""

    __tablename__ = "booking_summary"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", sa_column_kwargs={"unique": True}, nullable=False)
    attendance: str | None = Field(default=None, sa_type=Text)
    achieved: str | None = Field(default=None, sa_type=Text)
    recommendation: str | None = Field(default=None, sa_type=Text)
    next_step: str | None = Field(default=None, sa_type=Text)
    written_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    written_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    erased_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
