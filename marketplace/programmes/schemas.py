"""The API's shapes for programmes and reference data (API.md, exactly; the API may only grow)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog.rules import MAX_AGE, MAX_CAPACITY, MAX_WEEKS, TEXT_LIMITS
from marketplace.kernel.api_models import QueryModel

Unit = Literal["month", "day", "placement"]
ACTIVITY_CODE_FORMAT = r"^([0-9]{3,10})?$"  # catalog.rules.ACTIVITY_CODE_PATTERN, or empty
ACTIVITY_CODE_DESCRIPTION = ("The city's activity code (verksamhetskod), 3–10 digits (422 otherwise); without one "
                             "the programme is billed under its organisation's default.")
Status = Literal["draft", "published", "paused", "archived"]


# --- out ------------------------------------------------------------------------------------


class OrganisationRef(BaseModel):
    id: int
    code: str
    name: str


class Money(BaseModel):
    amount: str = Field(examples=["4500.00"])
    currency: str = "SEK"


class PriceOut(Money):
    unit: Unit


class ContactOut(BaseModel):
    name: str
    email: str
    phone: str


class ReservedPlaces(BaseModel):
    """Places kept for one target group or one buying organisation (give exactly one of the two)."""

    model_config = ConfigDict(extra="forbid")
    target_group: str | None = Field(default=None, max_length=40, description="Target-group code")
    organisation: str | None = Field(default=None, max_length=16, description="Buying organisation's code")
    places: int = Field(ge=1, le=MAX_CAPACITY)


class ReservedPlacesOut(BaseModel):
    target_group: str | None = None
    organisation: str | None = None
    places: int


class ProgrammeOut(BaseModel):
    id: int
    code: str
    name: str
    description: str
    organisation: OrganisationRef
    category: str
    target_groups: list[str]
    capacity: int
    free_places: int = Field(description="Places free today")
    price: PriceOut
    status: Status
    accessible: bool
    location: str
    schedule: str
    min_weeks: int | None
    max_weeks: int | None
    contact: ContactOut
    eligibility: str
    language_support: str
    updated_at: datetime
    confirmed_at: datetime = Field(description="When a coordinator last confirmed the listing is current")
    not_confirmed_since: datetime | None = Field(
        description="Set (to confirmed_at) when the last confirmation is 270 days old or more; such programmes rank last")
    valid_from: date | None
    valid_to: date | None
    funding: str
    min_age: int | None
    max_age: int | None
    requirements: str
    activity_code: str | None = Field(
        description="The city's activity code (verksamhetskod); null: billed under the organisation's default")
    next_free_date: date | None = Field(
        description="The first day from today on which a place is free for the programme's min_weeks (4 weeks without "
                    "one), by the booking rules; counts the unreserved places, with participant_target_group also that "
                    "group's reservation; null: none before valid_to, or no place")
    reserved: list[ReservedPlacesOut] = Field(
        description="Places kept for a target group or a buying organisation; other requests use the rest")


class ProgrammeOutcomesOut(BaseModel):
    """Placements of the programme that ended in the last 24 months; null = hidden (fewer than 5 people)."""

    model_config = ConfigDict(populate_by_name=True)
    from_: date = Field(alias="from", description="First day of the 24 months")
    to: date = Field(description="Today")
    ended: int | None = Field(description="Placements ended in the period")
    work_or_studies: int | None = Field(description="Of them, ended with the outcome work or studies")
    ended_early: int | None = Field(description="Of them, ended early: the outcome interrupted")
    work_or_studies_share: Decimal | None = Field(description="Percent of ended placements, one decimal", examples=["62.5"])
    ended_early_share: Decimal | None = Field(description="Percent of ended placements, one decimal", examples=["12.5"])


class ProgrammeItemOut(ProgrammeOut):
    """One programme as GET /programmes/{id} answers (the search list leaves outcomes out, to stay fast)."""

    outcomes: ProgrammeOutcomesOut


class ProgrammeList(BaseModel):
    items: list[ProgrammeOut]
    total: int
    page: int
    per_page: int


class AvailabilityDay(BaseModel):
    date: date
    committed: int
    free: int


class AvailabilityOut(BaseModel):
    programme_id: int
    capacity: int
    days: list[AvailabilityDay]


class OrganisationOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str


class OrganisationList(BaseModel):
    items: list[OrganisationOut]


class LabelOut(BaseModel):
    code: str
    label: str


class LabelList(BaseModel):
    items: list[LabelOut]


# --- in -------------------------------------------------------------------------------------


def _text(name: str, default: str | None = "") -> object:
    return Field(default=default, max_length=TEXT_LIMITS[name])


class PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(ge=0, max_digits=11, decimal_places=2, description="SEK, e.g. \"4500.00\"")
    currency: Literal["SEK"] = "SEK"
    unit: Unit


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = _text("contact_name")
    email: str = _text("contact_email")
    phone: str = _text("contact_phone")


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=TEXT_LIMITS["code"])
    name: str = Field(min_length=1, max_length=TEXT_LIMITS["name"])
    description: str = _text("description")
    organisation: str | None = Field(default=None, max_length=16, description="Organisation code; default: yours")
    category: str = Field(min_length=1, max_length=40)
    target_groups: list[str] = Field(default_factory=list, max_length=20)
    eligibility: str = _text("eligibility")
    location: str = _text("location")
    schedule: str = _text("schedule")
    capacity: int = Field(ge=0, le=MAX_CAPACITY)
    price: PriceIn
    min_weeks: int | None = Field(default=None, ge=1, le=MAX_WEEKS)
    max_weeks: int | None = Field(default=None, ge=1, le=MAX_WEEKS)
    accessible: bool = False
    language_support: str = _text("language_support")
    contact: ContactIn = Field(default_factory=ContactIn)
    status: Literal["draft", "published"] = "draft"
    valid_from: date | None = None
    valid_to: date | None = None
    funding: str = _text("funding")
    min_age: int | None = Field(default=None, ge=0, le=MAX_AGE)
    max_age: int | None = Field(default=None, ge=0, le=MAX_AGE)
    requirements: str = _text("requirements")
    activity_code: str | None = Field(default=None, pattern=ACTIVITY_CODE_FORMAT, description=ACTIVITY_CODE_DESCRIPTION,
                                      examples=["5700"])
    reserved: list[ReservedPlaces] = Field(default_factory=list, max_length=20, description=(
        "Reserved places: [{\"target_group\": CODE, \"places\": N}] or [{\"organisation\": CODE, \"places\": N}]; "
        "together at most the capacity (422 otherwise)"))


class ProgrammePatch(BaseModel):
    """Only the fields sent change; `status` moves the programme (publish, pause, archive)."""

    model_config = ConfigDict(extra="forbid")
    code: str | None = Field(default=None, min_length=1, max_length=TEXT_LIMITS["code"])
    name: str | None = Field(default=None, min_length=1, max_length=TEXT_LIMITS["name"])
    description: str | None = Field(default=None, max_length=TEXT_LIMITS["description"])
    category: str | None = Field(default=None, min_length=1, max_length=40)
    target_groups: list[str] | None = Field(default=None, max_length=20)
    eligibility: str | None = Field(default=None, max_length=TEXT_LIMITS["eligibility"])
    location: str | None = Field(default=None, max_length=TEXT_LIMITS["location"])
    schedule: str | None = Field(default=None, max_length=TEXT_LIMITS["schedule"])
    capacity: int | None = Field(default=None, ge=0, le=MAX_CAPACITY)
    price: PriceIn | None = None
    min_weeks: int | None = Field(default=None, ge=1, le=MAX_WEEKS)
    max_weeks: int | None = Field(default=None, ge=1, le=MAX_WEEKS)
    accessible: bool | None = None
    language_support: str | None = Field(default=None, max_length=TEXT_LIMITS["language_support"])
    contact: ContactIn | None = None
    status: Status | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    funding: str | None = Field(default=None, max_length=TEXT_LIMITS["funding"])
    min_age: int | None = Field(default=None, ge=0, le=MAX_AGE)
    max_age: int | None = Field(default=None, ge=0, le=MAX_AGE)
    requirements: str | None = Field(default=None, max_length=TEXT_LIMITS["requirements"])
    activity_code: str | None = Field(default=None, pattern=ACTIVITY_CODE_FORMAT,
                                      description=ACTIVITY_CODE_DESCRIPTION + ' null or "" clears it.')
    reserved: list[ReservedPlaces] | None = Field(default=None, max_length=20, description=(
        "Replaces every reservation ([] removes them); together at most the capacity (422 otherwise)"))


class ProgrammePath(BaseModel):
    programme_id: int


class ProgrammeQuery(QueryModel):
    q: str | None = Field(default=None, max_length=200)
    category: str | None = Field(default=None, max_length=40)
    target_group: list[str] = Field(default_factory=list, max_length=20)
    organisation: str | None = Field(default=None, max_length=16)
    available_from: date | None = None
    available_to: date | None = None
    accessible: bool | None = None
    max_price: Decimal | None = Field(default=None, ge=0, max_digits=11, decimal_places=2, description="SEK")
    participant_age: int | None = Field(default=None, ge=0, le=MAX_AGE, description="Only programmes open to this age")
    start_by: date | None = Field(default=None, description="Only programmes whose next_free_date is on or before this day")
    participant_target_group: str | None = Field(
        default=None, max_length=40, description="The participant's target group: availability, free_places, "
        "next_free_date and start_by also count the places reserved for it")
    page: int = Field(default=1, ge=1, le=100_000)  # bounded: a huge page would overflow OFFSET (500)
    per_page: int = Field(default=20, ge=1, le=100)


class AvailabilityQuery(QueryModel):
    from_: date = Field(alias="from")
    to: date
    participant_target_group: str | None = Field(
        default=None, max_length=40, description="Count the places reserved for this target group as free too")


class LangQuery(QueryModel):
    lang: Literal["sv", "en"] | None = None


class HsdsQuery(QueryModel):
    page: int = Field(default=1, ge=1, le=100_000)  # bounded: a huge page would overflow OFFSET (500)
    per_page: int = Field(default=50, ge=1, le=100)
