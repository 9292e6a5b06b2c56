"""Privacy records: erased participants (never the erased values) and monthly log reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class ErasureRecord(SQLModel, table=True):
    """One participant's personal fields erased: by the retention job or on request (GDPR art. 17).

    Holds the booking reference and the legal basis, never the erased values.
    """

    __tablename__ = "erasure_record"

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id", index=True)
    booking_ref: str = Field(max_length=20)
    erased_at: datetime = Field(sa_type=UTCDateTime)
    erased_by_id: int | None = Field(default=None, foreign_key="app_user.id")
    basis: str = Field(max_length=20)  # "retention" | "request"
    reason: str = Field(default="", sa_type=Text)


class LogReview(SQLModel, table=True):
    """A monthly review (loggkontroll) of a reproducible sample of participant-data reads."""

    __tablename__ = "log_review"
    __table_args__ = (UniqueConstraint("period", name="uq_log_review_period"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)  # YYYY-MM
    sample_size: int
    population: int
    sampled_ids: list = Field(default_factory=list, sa_type=JSON)
    reviewer_id: int = Field(foreign_key="app_user.id")
    reviewed_at: datetime = Field(sa_type=UTCDateTime)
    deviations_found: bool = False
    findings: str = Field(sa_type=Text)
