"""API shapes of several decisions at once (POST /api/v1/bookings/decisions). No database access."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from marketplace.kernel.api_models import Text


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int = Field(ge=1, le=2**31 - 1, description="The booking's id")
    decision: Literal["approve", "reject"]
    reason: Text | None = Field(default=None, max_length=2000, description="Required to reject")


class DecisionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decisions: list[DecisionIn] = Field(min_length=1, max_length=100, description="1–100, decided in this order")


class ResultProblem(BaseModel):
    type: str
    status: int
    detail: str


class DecisionResult(BaseModel):
    id: int
    ref: str | None = Field(description="null when the booking is not visible to the caller")
    decision: Literal["approve", "reject"]
    ok: bool
    status: str | None = Field(description="The booking's status after this decision (null when not visible)")
    problem: ResultProblem | None = Field(description="Why this one failed, as its single decision would answer")


class DecisionsOut(BaseModel):
    results: list[DecisionResult]
    approved: int
    rejected: int
    failed: int
