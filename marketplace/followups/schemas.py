"""Request and response models of the follow-up and attendance API (docs/api.md). No database access."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from marketplace.kernel.api_models import QueryModel, Text


class BookingPath(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1, description="The booking's id")


class WeekPath(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1, description="The booking's id")
    iso_week: str = Field(max_length=10, description="The ISO week, YYYY-Www (2027-W03)")


class PageQuery(QueryModel):
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class FollowUpIn(BaseModel):
    """What a follow-up records; ranges and required texts are the page's rules (422 with field errors)."""

    model_config = ConfigDict(extra="forbid")
    sequence: int | None = Field(default=None, ge=1, le=1000,
                                 description="Which follow-up (a recorded one is corrected); default the first open one")
    attendance_share: int | None = Field(default=None, description="Percent of planned days present, 0–100")
    capacity_physical: int | None = Field(default=None, description="Work capacity 1–5 (required)")
    capacity_mental: int | None = Field(default=None, description="1–5 (required)")
    capacity_social: int | None = Field(default=None, description="1–5 (required)")
    participant_view: Text = Field(default="", description="The participant's own view (required, ≤ 5000)")
    progress_goals: Text = Field(default="", description="Progress towards the goals (required, ≤ 5000)")
    progress_sub_goals: Text = ""
    ready_took_part: bool = False
    ready_travels_alone: bool = False
    ready_no_active_substance_abuse: bool = False
    ready_handles_conflicts: bool = False
    ready_motivated: bool = False
    notes: Text = ""


class FollowUpOut(BaseModel):
    id: int
    sequence: int
    due_date: date
    status: Literal["open", "overdue", "done"]
    done_at: datetime | None
    attendance_share: int | None
    capacity_physical: int | None
    capacity_mental: int | None
    capacity_social: int | None
    participant_view: str
    progress_goals: str
    progress_sub_goals: str
    ready_took_part: bool
    ready_travels_alone: bool
    ready_no_active_substance_abuse: bool
    ready_handles_conflicts: bool
    ready_motivated: bool
    notes: str


class FollowUpList(BaseModel):
    items: list[FollowUpOut]
    total: int
    page: int
    per_page: int


class AttendanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    days_present: int = Field(ge=0, le=7)
    days_planned: int = Field(ge=0, le=7, description="Days the participant was to attend; ≥ days_present")
    note: Text | None = Field(default=None, max_length=1000, description="Replaces the week's note; omitted keeps it")
    days_absent_unnotified: int = Field(default=0, ge=0, le=7, description=(
        "Of the absent days (planned − present), how many without notice; the rest count as notified"))


class AttendanceOut(BaseModel):
    iso_week: str
    week_start: date
    days_present: int
    days_planned: int
    days_absent_notified: int
    days_absent_unnotified: int
    note: str
    updated_at: datetime


class AttendanceSummaryOut(BaseModel):
    days_present: int
    days_planned: int
    share: int | None = Field(description="Whole percent of planned days present; null when nothing is recorded")


class AttendanceList(BaseModel):
    items: list[AttendanceOut]
    total: int
    page: int
    per_page: int
    summary: AttendanceSummaryOut
