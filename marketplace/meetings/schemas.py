"""API shapes of meetings and summaries (API.md, Meetings). No database access."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from marketplace.kernel.api_models import QueryModel, Text
from marketplace.meetings.models import MeetingKind



class BookingPath(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1)


class MeetingPath(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1)
    mid: int = Field(ge=1, le=2**31 - 1)


class PageQuery(QueryModel):
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: MeetingKind
    starts_at: datetime = Field(description="With an offset; a time without one is Stockholm time")
    ends_at: datetime
    location: Text | None = Field(default=None, max_length=300)
    note: Text | None = Field(default=None, max_length=2000)


class MeetingOut(BaseModel):
    id: int
    kind: MeetingKind
    starts_at: datetime
    ends_at: datetime
    location: str | None
    note: str | None
    uid: str = Field(description="The iCalendar UID, the same in every invitation and cancellation")
    sequence: int
    cancelled_at: datetime | None
    ics_url: str
    created_at: datetime


class MeetingList(BaseModel):
    items: list[MeetingOut]
    total: int
    page: int
    per_page: int


class SummaryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attendance: Text = Field(min_length=1, max_length=5000, description="How the participant attended")
    achieved: Text = Field(min_length=1, max_length=5000, description="What was achieved against the assignment")
    recommendation: Text = Field(default="", max_length=5000)
    next_step: Text = Field(default="", max_length=5000)


class SummaryOut(BaseModel):
    booking_id: int
    attendance: str | None
    achieved: str | None
    recommendation: str | None
    next_step: str | None
    written_at: datetime
    updated_at: datetime
    erased: bool
    print_url: str
