"""API shapes for billing (API.md, "Billing"). No database access."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from billing import money
from billing.lines import Line, PairTotal

PERIOD_PATTERN = r"^(20\d\d|2100)-(0[1-9]|1[0-2])$"


class PeriodPath(BaseModel):
    period: str = Field(pattern=PERIOD_PATTERN, description="A month, YYYY-MM, e.g. 2026-03")


class FilePath(PeriodPath):
    fmt: Literal["csv", "xlsx", "sie"]


class StatementPath(PeriodPath):
    organisation_code: str = Field(max_length=16, description="The organisation's code, e.g. RK")


class StatementQuery(BaseModel):
    format: Literal["json", "csv", "xlsx"] = Field(default="json", description="json (default), csv or xlsx")


class MoneyOut(BaseModel):
    amount: str = Field(examples=["4500.00"])
    currency: str = "SEK"


class LineOut(BaseModel):
    booking_ref: str
    buyer: str
    provider: str
    programme_code: str
    from_date: date
    to_date: date
    days: int
    unit_price: MoneyOut
    unit: Literal["month", "day", "placement"]
    amount: MoneyOut
    correction_of: str | None


class TotalOut(BaseModel):
    buyer: str
    provider: str
    amount: MoneyOut


class PeriodOut(BaseModel):
    period: str
    status: Literal["open", "closed"]
    lines: list[LineOut]
    totals: list[TotalOut]
    total: MoneyOut
    programmes_without_activity_code: list["ActivityCodeFallbackOut"] = Field(
        default_factory=list, description="Programmes billed (closed) or to be billed (open) under their "
                                          "organisation's default activity code")


class StatementHalfOut(BaseModel):
    total: MoneyOut
    lines: list[LineOut]


class StatementOut(BaseModel):
    period: str
    organisation_code: str
    status: Literal["open", "closed"]
    purchases: StatementHalfOut
    sales: StatementHalfOut
    net: MoneyOut = Field(description="Sales minus purchases")


class FileOut(BaseModel):
    format: Literal["csv", "xlsx", "sie"]
    sha256: str
    url: str


class ActivityCodeFallbackOut(BaseModel):
    """A programme billed without an activity code of its own: give it one in the catalogue."""

    programme_code: str
    programme_name: str
    organisation: str = Field(description="The providing organisation's code")
    activity_code: str | None = Field(description="The organisation's default it was billed under; null: none")


class OpenDisputeOut(BaseModel):
    """A dispute of the closed month still waiting for the provider's answer (billing.disputes)."""

    id: int
    booking_ref: str
    buyer: str
    provider: str


class CloseOut(BaseModel):
    period: str
    status: Literal["closed"]
    files: list[FileOut]
    open_disputes: list[OpenDisputeOut] = Field(
        default_factory=list, description="The month's disputes still open: the close does not wait for them")
    programmes_without_activity_code: list[ActivityCodeFallbackOut] = Field(
        default_factory=list, description="Programmes the month billed under their organisation's default activity code")


def line_out(line: Line) -> dict:
    return {
        "booking_ref": line.booking_ref, "buyer": line.buyer_code, "provider": line.provider_code,
        "programme_code": line.programme_code, "from_date": line.from_date.isoformat(),
        "to_date": line.to_date.isoformat(), "days": line.days, "unit_price": money.money(line.unit_price_ore),
        "unit": line.unit, "amount": money.money(line.amount_ore), "correction_of": line.correction_of,
    }


def fallback_out(programme) -> dict:
    """billing.dimensions.ProgrammeCode as ActivityCodeFallbackOut."""
    return {"programme_code": programme.programme_code, "programme_name": programme.programme_name,
            "organisation": programme.organisation_code, "activity_code": programme.activity_code or None}


def total_out(total: PairTotal) -> dict:
    return {"buyer": total.buyer_code, "provider": total.provider_code, "amount": money.money(total.amount_ore)}
