"""API: an organisation's admin or coordinator registers, lists and removes webhook endpoints
and reads their deliveries with every attempt."""

from __future__ import annotations

from datetime import datetime

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from marketplace import audit
from marketplace.auth import policy
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.problems import Problem
from marketplace.webhooks import service

api = APIBlueprint("webhooks_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="webhooks")])


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(max_length=2000, description="https:// address that receives the events (POST, JSON)")
    events: list[str] = Field(min_length=1, max_length=len(service.EVENT_TYPES),
                              description="Any of: " + ", ".join(service.EVENT_TYPES))


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="The signing secret (whsec_…). Shown only in this answer: store it now")


class WebhookList(BaseModel):
    items: list[WebhookOut]


class AttemptOut(BaseModel):
    at: datetime
    status_code: int | None
    error: str | None


class DeliveryOut(BaseModel):
    id: int
    message_id: str = Field(description="The webhook-id header of this message")
    event_type: str
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    attempt_log: list[AttemptOut]


class DeliveryList(BaseModel):
    items: list[DeliveryOut]


class WebhookPath(BaseModel):
    id: int = Field(ge=1, le=2**31 - 1)


def _actor():
    actor = http.require_api_actor()
    if not policy.can_manage_webhooks(actor):
        raise http.ApiError(403, "Only an organisation's admin or coordinator manages its webhooks.")
    return actor


def _out(endpoint) -> dict:
    return WebhookOut(id=endpoint.id, url=endpoint.url, events=sorted(endpoint.event_set),
                      created_at=endpoint.created_at).model_dump(mode="json")


@api.post("/webhooks", responses={201: WebhookCreatedOut, 401: Problem, 403: Problem, 422: Problem},
          security=[{"bearer": []}])
def create_webhook(body: WebhookIn):
    """Register an endpoint for the caller's organisation; the answer holds its secret, once."""
    actor = _actor()
    session = http.request_session()
    with transaction(session):
        endpoint, secret = service.register(
            session, organisation_id=actor.organisation_id, url=body.url, events=body.events,
            created_by=actor.user_id, now=clock.now(), production=http.settings().is_production)
        audit.record(session, actor=actor, action="webhook.create", object_type="webhook_endpoint",
                     object_id=endpoint.id, now=clock.now(), ip=http.client_ip(),
                     details={"url": endpoint.url, "events": sorted(endpoint.event_set)})
    return {**_out(endpoint), "secret": secret}, 201


@api.get("/webhooks", responses={200: WebhookList, 401: Problem, 403: Problem}, security=[{"bearer": []}])
def list_webhooks():
    """The caller's organisation's endpoints (never their secrets)."""
    actor = _actor()
    return {"items": [_out(e) for e in service.endpoints_of(http.request_session(), actor.organisation_id)]}


@api.delete("/webhooks/<int:id>", responses={204: None, 401: Problem, 403: Problem, 404: Problem},
            security=[{"bearer": []}])
def delete_webhook(path: WebhookPath):
    """Remove an endpoint: nothing more is sent to it (removing it again answers 204 too)."""
    actor = _actor()
    session = http.request_session()
    with transaction(session):
        endpoint = service.endpoint_of(session, actor.organisation_id, path.id, removed=True)
        if not endpoint.active:
            return "", 204
        service.remove(session, endpoint)
        audit.record(session, actor=actor, action="webhook.delete", object_type="webhook_endpoint",
                     object_id=endpoint.id, now=clock.now(), ip=http.client_ip())
    return "", 204


@api.get("/webhooks/<int:id>/deliveries", responses={200: DeliveryList, 401: Problem, 403: Problem, 404: Problem},
         security=[{"bearer": []}])
def list_deliveries(path: WebhookPath):
    """The endpoint's latest 100 deliveries, newest first, each with its attempts."""
    actor = _actor()
    session = http.request_session()
    endpoint = service.endpoint_of(session, actor.organisation_id, path.id)
    items = []
    for delivery, attempts in service.deliveries_of(session, endpoint):
        items.append(DeliveryOut(
            id=delivery.id, message_id=delivery.message_id, event_type=delivery.event_type, status=delivery.status,
            attempts=delivery.attempts, created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at if delivery.status == "pending" else None,
            delivered_at=delivery.delivered_at,
            attempt_log=[AttemptOut(at=a.at, status_code=a.status_code, error=a.error) for a in attempts],
        ).model_dump(mode="json"))
    return {"items": items}
