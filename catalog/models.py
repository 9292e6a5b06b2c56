"""Catalogue tables: organisations, taxonomy, programmes and their change log. No Flask.

Money is integer öre (price_ore). Taxonomy rows are keyed by their stable code and carry
Swedish and English labels.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class OrganisationKind(StrEnum):
    DISTRICT = "district"
    ADMINISTRATION = "administration"


class ProgrammeStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    PAUSED = "paused"
    ARCHIVED = "archived"


class PriceUnit(StrEnum):
    MONTH = "month"
    DAY = "day"
    PLACEMENT = "placement"


class Organisation(SQLModel, table=True):
    """A district or administration: buyer and provider, with its accounting codes."""

    __table_args__ = (CheckConstraint("kind IN ('district', 'administration')", name="ck_organisation_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, sa_column_kwargs={"unique": True}, nullable=False)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)
    cost_centre: str = Field(max_length=20)
    cost_account: str = Field(max_length=10)
    revenue_account: str = Field(max_length=10)
    # The verksamhetskod a programme of this organisation is billed under when it has none of
    # its own ('' = none; 3–10 digits). The responsibility code (ansvar) is cost_centre.
    default_activity_code: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    valid_from: date | None = None
    valid_to: date | None = None

    def label(self, locale: str = "sv") -> str:
        return self.name


class Category(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=40)
    label_sv: str = Field(max_length=200)
    label_en: str = Field(max_length=200)

    def label(self, locale: str = "sv") -> str:
        return self.label_en if locale.startswith("en") else self.label_sv


class TargetGroup(SQLModel, table=True):
    __tablename__ = "target_group"

    code: str = Field(primary_key=True, max_length=40)
    label_sv: str = Field(max_length=200)
    label_en: str = Field(max_length=200)

    def label(self, locale: str = "sv") -> str:
        return self.label_en if locale.startswith("en") else self.label_sv


class ProgrammeTargetGroup(SQLModel, table=True):
    __tablename__ = "programme_target_group"
    # A search by target group reads the programme ids from this index alone (migration 0008).
    __table_args__ = (Index("ix_programme_target_group_code_programme", "target_group_code", "programme_id"),)

    programme_id: int = Field(
        sa_column=Column(Integer, ForeignKey("programme.id", ondelete="CASCADE"), primary_key=True)
    )
    target_group_code: str = Field(
        sa_column=Column(String(40), ForeignKey("target_group.code"), primary_key=True)
    )


class Programme(SQLModel, table=True):
    """A work-training programme one organisation offers to every district."""

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="ck_programme_capacity"),
        CheckConstraint("price_ore >= 0", name="ck_programme_price"),
        CheckConstraint("price_unit IN ('month', 'day', 'placement')", name="ck_programme_unit"),
        CheckConstraint("status IN ('draft', 'published', 'paused', 'archived')", name="ck_programme_status"),
        Index("ix_programme_status_org", "status", "organisation_id"),
        # Covers a word search within a category (the FTS ids are checked against it) with its
        # availability, start_by and ranking: 17 -> 10 ms in-process at 100 000 programmes.
        Index("ix_programme_category_search", "status", "category_code", "stale", "capacity", "reserved_places",
              "min_weeks", "valid_from", "valid_to", "name", "search_name"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, sa_column_kwargs={"unique": True}, nullable=False)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    category_code: str = Field(foreign_key="category.code", max_length=40)
    eligibility: str = Field(default="", sa_type=Text)
    location: str = Field(default="", max_length=300)
    schedule: str = Field(default="", max_length=300)
    capacity: int = 0
    price_ore: int = 0
    price_unit: str = Field(default=PriceUnit.MONTH.value, max_length=12)
    min_weeks: int | None = None
    max_weeks: int | None = None
    accessible: bool = False
    language_support: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=40)
    status: str = Field(default=ProgrammeStatus.DRAFT.value, max_length=12)
    # Upkeep: when a coordinator last confirmed the listing is current (None: never, read as
    # created_at), when the reminder to confirm was last sent, and the period it is valid.
    confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # True once the last confirmation is CONFIRM_STALE_DAYS old: set by the upkeep job
    # (marketplace/programmes/jobs.py), cleared by confirming. Search ranks stale listings
    # last from this column, so the default order is read from an index (migration 0021).
    stale: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The sum of the programme's reserved places (ProgrammeReservation; 0: none reserved).
    reserved_places: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    confirm_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    valid_from: date | None = None
    valid_to: date | None = None
    funding: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})
    # Eligibility: the participant's age range (inclusive) and requirements as text.
    min_age: int | None = None
    max_age: int | None = None
    requirements: str = Field(default="", sa_type=Text, sa_column_kwargs={"server_default": ""})
    # The city's activity code (verksamhetskod, 3–10 digits) its places are billed under;
    # '' = its organisation's default_activity_code (migration 0020).
    activity_code: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    # Words folded for Swedish-aware search, kept by catalog.programmes (catalog.search.documents):
    # search_text holds every searchable word, search_name the name's words (they rank higher).
    search_text: str = Field(default="", sa_type=Text)
    search_name: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class ProgrammeReservation(SQLModel, table=True):
    """Places of a programme kept for one target group or one buying organisation (a quota).

    A request whose participant's target group, or whose buying organisation, matches may use
    these places and the unreserved ones; any other request only the unreserved ones (the
    capacity minus every reservation). Counted per day like capacity (marketplace/bookings/reserved_days.py).
    """

    __tablename__ = "programme_reservation"
    __table_args__ = (
        CheckConstraint("places > 0", name="ck_programme_reservation_places"),
        CheckConstraint("(target_group_code IS NULL) <> (organisation_id IS NULL)", name="ck_programme_reservation_for"),
        UniqueConstraint("programme_id", "target_group_code", name="uq_programme_reservation_group"),
        UniqueConstraint("programme_id", "organisation_id", name="uq_programme_reservation_organisation"),
        Index("ix_programme_reservation_target_group", "target_group_code", "programme_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(sa_column=Column(Integer, ForeignKey("programme.id", ondelete="CASCADE"), nullable=False))
    target_group_code: str | None = Field(default=None, sa_column=Column(String(40), ForeignKey("target_group.code"),
                                                                        nullable=True))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    places: int


class ProgrammeChange(SQLModel, table=True):
    """Who changed which fields of a programme, when (shown as 'last updated')."""

    __tablename__ = "programme_change"

    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="programme.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    action: str = Field(max_length=20)
    changes: dict = Field(default_factory=dict, sa_type=JSON)
