"""Follow-up records and weekly attendance of a placement. No queries, no Flask."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class FollowUp(SQLModel, table=True):
    """One scheduled follow-up of a booking (DOMAIN 3.6): due date, and once done, what was seen.

    Rows are created by the schedule (sequence 1, 2, … in due order); recording fills the
    result fields and done_at. Readiness booleans are the five criteria for the next step
    (Jobbtorg Resurs in the seeds; the step's name is a setting).
    """

    __tablename__ = "follow_up"
    __table_args__ = (
        UniqueConstraint("booking_id", "sequence", name="uq_follow_up_booking_sequence"),
        CheckConstraint("attendance_share IS NULL OR (attendance_share >= 0 AND attendance_share <= 100)",
                        name="ck_follow_up_attendance"),
        CheckConstraint("capacity_physical IS NULL OR capacity_physical BETWEEN 1 AND 5", name="ck_follow_up_physical"),
        CheckConstraint("capacity_mental IS NULL OR capacity_mental BETWEEN 1 AND 5", name="ck_follow_up_mental"),
        CheckConstraint("capacity_social IS NULL OR capacity_social BETWEEN 1 AND 5", name="ck_follow_up_social"),
        Index("ix_follow_up_due_open", "done_at", "due_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    sequence: int
    due_date: date
    created_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    # Percent of planned days present (0-100) since the previous follow-up.
    attendance_share: int | None = None
    capacity_physical: int | None = None
    capacity_mental: int | None = None
    capacity_social: int | None = None
    participant_view: str = Field(default="", sa_type=Text)
    progress_goals: str = Field(default="", sa_type=Text)
    progress_sub_goals: str = Field(default="", sa_type=Text)
    ready_took_part: bool = False
    ready_travels_alone: bool = False
    ready_no_active_substance_abuse: bool = False
    ready_handles_conflicts: bool = False
    ready_motivated: bool = False
    notes: str = Field(default="", sa_type=Text)
    # Set when the reminder for this overdue follow-up was sent: one reminder per follow-up.
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def readiness_count(self) -> int:
        return sum((self.ready_took_part, self.ready_travels_alone, self.ready_no_active_substance_abuse,
                    self.ready_handles_conflicts, self.ready_motivated))


class AttendanceWeek(SQLModel, table=True):
    """Days present and absent (with or without notice) in one ISO week of a placement.

    Recorded by the provider; the buyer's staff base the right to financial assistance on
    it (DOMAIN 3.6), so every change is audited with old and new counts.
    """

    __tablename__ = "attendance_week"
    __table_args__ = (
        UniqueConstraint("booking_id", "week_start", name="uq_attendance_booking_week"),
        CheckConstraint("present_days >= 0 AND absent_notified_days >= 0 AND absent_unnotified_days >= 0",
                        name="ck_attendance_non_negative"),
        CheckConstraint("present_days + absent_notified_days + absent_unnotified_days <= 7", name="ck_attendance_week"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    week_start: date  # the Monday of the ISO week
    present_days: int = 0
    absent_notified_days: int = 0
    absent_unnotified_days: int = 0
    note: str = Field(default="", sa_type=Text)  # the provider's comment on the week; erased with the participant data
    recorded_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    updated_at: datetime = Field(sa_type=UTCDateTime)

    @property
    def planned_days(self) -> int:
        return self.present_days + self.absent_notified_days + self.absent_unnotified_days
