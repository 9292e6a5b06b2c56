"""API shapes of bookings (API.md, Bookings). No database access."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from marketplace.kernel.api_models import QueryModel, Text
from marketplace.bookings.models import BookingStatus, Outcome

_TEXT = 5000



class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: Text = Field(min_length=1, max_length=100, description="The case system's reference")
    name: Text = Field(min_length=1, max_length=200)
    contact: Text | None = Field(default=None, max_length=300)
    needs: Text | None = Field(default=None, max_length=_TEXT)


class AssignmentIn(BaseModel):
    """The written assignment the seeds require (DOMAIN.md 3.6)."""

    model_config = ConfigDict(extra="forbid")
    purpose: Text = Field(min_length=1, max_length=_TEXT)
    goals: Text = Field(min_length=1, max_length=_TEXT)
    sub_goals: Text = Field(default="", max_length=_TEXT)
    tasks: Text = Field(min_length=1, max_length=_TEXT)
    participant_view: Text = Field(default="", max_length=_TEXT)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reference: Text = Field(min_length=1, max_length=100)
    date: date


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programme_id: int = Field(ge=1, le=2**31 - 1)
    start_date: date
    end_date: date
    participant: ParticipantIn
    assignment: AssignmentIn
    fia_completed: bool = False
    decision: DecisionIn | None = None
    waitlist: bool = False
    participant_age: int | None = Field(default=None, ge=0, le=120,
                                        description="The participant's age; refused (422) outside the programme's range")
    participant_target_group: str | None = Field(
        default=None, min_length=1, max_length=40,
        description="The participant's target group (a code, 422 when unknown): a programme's places reserved for it "
                    "may be used")


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Text = Field(min_length=1, max_length=2000)


class EndIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    end_date: date
    outcome: Outcome


class ExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    end_date: date = Field(description="The requested new last day")


class BookingPath(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1)


class BookingQuery(QueryModel):
    model_config = ConfigDict(populate_by_name=True)
    status: BookingStatus | None = None
    as_: Literal["buyer", "provider"] | None = Field(default=None, alias="as")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class OrganisationRef(BaseModel):
    code: str
    name: str


class ProgrammeRef(BaseModel):
    id: int
    code: str
    name: str
    organisation: OrganisationRef


class ParticipantOut(BaseModel):
    reference: str
    name: str | None
    contact: str | None
    needs: str | None


class AssignmentOut(BaseModel):
    purpose: str
    goals: str
    sub_goals: str
    tasks: str
    participant_view: str


class DecisionOut(BaseModel):
    reference: str | None
    date: date | None


class EventOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    at: datetime
    actor: str | None = Field(description="Name of the user; null for the scheduler")
    from_: str | None = Field(alias="from")
    to: str
    note: str = Field(description="Free text; empty for those who may not see the participant (a manager)")


class PriceOut(BaseModel):
    amount: str
    currency: Literal["SEK"] = "SEK"
    unit: str


class ExtensionOut(BaseModel):
    end_date: date


class BookingOut(BaseModel):
    id: int
    ref: str
    status: BookingStatus
    programme: ProgrammeRef
    buyer: OrganisationRef
    start_date: date
    end_date: date
    hold_expires_at: datetime | None
    waitlist_position: int | None
    participant: ParticipantOut | None = Field(
        default=None, description="Only for the buyer's staff, the provider's coordinators and the programme's supervisors")
    participant_target_group: str | None = Field(
        default=None, description="The participant's target group (a code) as the request stated it, or null; "
                                  "absent, like participant, for those who may not see the participant")
    assignment: AssignmentOut | None = Field(default=None, description="Absent, like participant, for a manager")
    fia_completed: bool
    decision: DecisionOut | None = Field(default=None, description="Absent, like participant, for a manager")
    decision_missing: bool = Field(description="No assistance decision given: a legal-certainty gap")
    outcome: Outcome | None
    price: PriceOut
    extension: ExtensionOut | None = Field(description="An extension waiting for the provider's decision")
    events: list[EventOut]


class RelatedBookingOut(BaseModel):
    id: int
    ref: str
    programme_name: str
    status: BookingStatus
    start_date: date
    end_date: date


class BookingLinkOut(BaseModel):
    id: int
    ref: str


class BookingDetailOut(BookingOut):
    """One booking as its own document: with the participant's other placements and forward links."""

    related: list[RelatedBookingOut] | None = Field(
        default=None, description="The buyer's other bookings with the same participant reference that the caller may see")
    forwarded_from: BookingLinkOut | None = Field(default=None, description="The refused request this one was forwarded from")
    forwarded_to: list[BookingLinkOut] | None = Field(default=None, description="The new requests this one was forwarded as")
    warnings: list[Literal["participant_has_open_placement"]] | None = Field(
        default=None, description="On 201: the participant already has a requested, approved or active placement")


class ForwardIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    programme_id: int = Field(ge=1, le=2**31 - 1)
    start_date: date
    end_date: date


class BookingList(BaseModel):
    items: list[BookingOut]
    total: int
    page: int
    per_page: int


def money_amount(ore: int) -> str:
    """Integer öre as API.md's amount string ("4500.00"); exact, no rounding involved."""
    sign = "-" if ore < 0 else ""
    return f"{sign}{abs(ore) // 100}.{abs(ore) % 100:02d}"
