"""API: raise a dispute of a billing line, answer it, read disputes (API.md, "Billing")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from billing import money
from billing.disputes import service
from billing.disputes.models import Dispute
from billing.schemas import PERIOD_PATTERN, MoneyOut
from marketplace.auth import policy
from marketplace.kernel import clock, http
from marketplace.kernel.api_models import QueryModel, Text
from marketplace.kernel.db import transaction
from marketplace.kernel.problems import Problem

api = APIBlueprint("billing_disputes_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="billing")])
SECURITY = [{"bearer": []}]


class DisputeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    booking_ref: Text = Field(max_length=40, description="The booking's ref, e.g. B-2026-000123")
    period: Text = Field(max_length=20, description="The month of the disputed line, YYYY-MM")
    reason: Text = Field(max_length=service.MAX_TEXT, description="Why the line is wrong (1–2000 characters)")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["accepted", "rejected"]
    note: Text | None = Field(default=None, max_length=service.MAX_TEXT, description="The answer, to the buyer")
    credit: Text | None = Field(default=None, max_length=30, examples=["123.45"],
                                description="Kronor given back (accepted only): at most what the booking was "
                                            "charged for the month, less credits already agreed")


class DisputePath(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1)


class DisputeQuery(QueryModel):
    status: Literal["open", "resolved"] | None = None
    period: str | None = Field(default=None, pattern=PERIOD_PATTERN)
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class DisputeOut(BaseModel):
    id: int
    status: Literal["open", "resolved"]
    booking_ref: str
    period: str
    buyer: str = Field(description="The buying organisation's code")
    provider: str = Field(description="The providing organisation's code")
    reason: str
    raised_by: str
    raised_at: datetime
    decision: Literal["accepted", "rejected"] | None
    credit: MoneyOut | None = Field(description="The agreed credit; null unless accepted with one")
    note: str | None
    resolved_by: str | None
    resolved_at: datetime | None
    credited_in: str | None = Field(description="The month whose close wrote the credit line (the last one, if the "
                                                "credit was given in parts); null: not yet")
    credited: MoneyOut | None = Field(description="How much of the credit the credit lines gave back so far: less "
                                                  "than agreed while the month costs less than its credits; null: "
                                                  "no credit")


class DisputeList(BaseModel):
    items: list[DisputeOut]
    total: int
    page: int
    per_page: int


def _out(session, dispute: Dispute, names: dict | None = None) -> dict:
    names = names or service.organisation_names(session, {dispute.buyer_organisation_id,
                                                          dispute.provider_organisation_id})
    resolved = dispute.resolved_at is not None
    credited = service.credited_in(session, dispute)
    return {
        "id": dispute.id, "status": dispute.status, "booking_ref": dispute.booking_ref, "period": dispute.period,
        "buyer": names[dispute.buyer_organisation_id][0], "provider": names[dispute.provider_organisation_id][0],
        "reason": dispute.reason, "raised_by": dispute.raised_by_name, "raised_at": dispute.raised_at.isoformat(),
        "decision": dispute.decision,
        "credit": money.money(dispute.credit_ore) if dispute.credit_ore else None,
        "note": dispute.note if resolved else None, "resolved_by": dispute.resolved_by_name,
        "resolved_at": dispute.resolved_at.isoformat() if resolved else None,
        "credited_in": credited.period,
        "credited": money.money(credited.given_ore) if dispute.credit_ore else None,
    }


def _actor():
    actor = http.require_api_actor()
    if not policy.can_see_disputes(actor):
        raise http.ApiError(403, "Disputes are for finance, coordinators and the buyer's staff.")
    return actor


def _visible(session, actor, dispute_id: int) -> Dispute:
    dispute = session.get(Dispute, dispute_id)
    if dispute is None or not service.can_see(actor, dispute):
        raise http.ApiError(404, "No such dispute.")
    return dispute


@api.post("/billing/disputes", responses={201: DisputeOut, 401: Problem, 403: Problem, 409: Problem, 422: Problem},
          security=SECURITY)
def raise_dispute(body: DisputeIn):
    """Dispute what a booking cost in a month (the buyer's district finance, coordinators or staff), before
    or after the month is closed. A booking your organisation did not buy answers 422 like an unknown one."""
    actor = http.require_api_actor()
    if not policy.can_raise_disputes(actor):
        raise http.ApiError(403, "Only the buying organisation's finance, coordinators or staff dispute a line.")
    session = http.request_session()
    with transaction(session, write_lock=True):
        dispute = service.raise_dispute(session, actor=actor, booking_ref=body.booking_ref, period=body.period.strip(),
                                        reason=body.reason, now=clock.now(), today=clock.today(), ip=http.client_ip())
    return _out(session, dispute), 201


@api.get("/billing/disputes", responses={200: DisputeList, 401: Problem, 403: Problem, 422: Problem}, security=SECURITY)
def list_disputes(query: DisputeQuery):
    """The disputes the caller may see (own organisation's as buyer and as provider; city finance: all), newest first."""
    actor = _actor()
    session = http.request_session()
    items, total = service.list_disputes(session, actor, status=query.status, period=query.period,
                                         offset=(query.page - 1) * query.per_page, limit=query.per_page)
    names = service.organisation_names(session, {d.buyer_organisation_id for d in items}
                                       | {d.provider_organisation_id for d in items})
    return {"items": [_out(session, d, names) for d in items], "total": total, "page": query.page,
            "per_page": query.per_page}


@api.get("/billing/disputes/<int:id>", responses={200: DisputeOut, 401: Problem, 403: Problem, 404: Problem},
         security=SECURITY)
def get_dispute(path: DisputePath):
    """One dispute (the two organisations' finance, coordinators and the buyer's staff, and city finance; else 404)."""
    actor = _actor()
    session = http.request_session()
    return _out(session, _visible(session, actor, path.id))


@api.post("/billing/disputes/<int:id>/resolve",
          responses={200: DisputeOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
          security=SECURITY)
def resolve_dispute(path: DisputePath, body: ResolveIn):
    """Accept (optionally with a credit) or reject a dispute, once (the provider's district finance or
    coordinators). The credit becomes a credit line in the next month that is closed."""
    actor = _actor()
    session = http.request_session()
    dispute = _visible(session, actor, path.id)
    with transaction(session, write_lock=True):
        service.resolve_dispute(session, dispute, actor=actor, decision=body.decision, note=body.note,
                                credit=body.credit, now=clock.now(), ip=http.client_ip())
    return _out(session, dispute)
