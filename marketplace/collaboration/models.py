"""Messages and documents of a booking. A document's bytes live outside the database, in
Settings.resolved_document_dir(), in a file named by the document's id."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, Text
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class DocumentKind(StrEnum):
    WORK_PLAN = "work_plan"
    ASSIGNMENT = "assignment"
    REPORT = "report"
    OTHER = "other"


class BookingMessage(SQLModel, table=True):
    """A message between the buyer's staff and the provider's coordinators about one booking."""

    __tablename__ = "booking_message"
    __table_args__ = (Index("ix_booking_message_booking", "booking_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    author_id: int = Field(foreign_key="app_user.id")
    author_organisation_id: int = Field(foreign_key="organisation.id")
    body: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)


class BookingDocument(SQLModel, table=True):
    """A file handed over about one booking (work plan, assignment, report, other)."""

    __tablename__ = "booking_document"
    __table_args__ = (
        Index("ix_booking_document_booking", "booking_id", "id"),
        CheckConstraint("kind IN ('work_plan','assignment','report','other')", name="ck_booking_document_kind"),
        CheckConstraint("size > 0", name="ck_booking_document_size"),
    )

    id: int | None = Field(default=None, primary_key=True)
    booking_id: int = Field(foreign_key="booking.id")
    kind: str = Field(max_length=12)
    # The uploaded name, shown and offered on download only; the file on disk is named by id.
    filename: str = Field(max_length=255)
    size: int
    sha256: str = Field(max_length=64)
    content_type: str = Field(max_length=100)
    uploaded_by_id: int = Field(foreign_key="app_user.id")
    uploaded_by_organisation_id: int = Field(foreign_key="organisation.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
