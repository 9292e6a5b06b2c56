"""Endpoints (register, list, remove), the outbox (enqueue inside the event's transaction) and
delivery (the scheduled job). No Flask."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta

import requests
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Invalid, NotFound
from marketplace.webhooks import signing, targets
from marketplace.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

EVENT_TYPES = (
    "booking.requested", "booking.approved", "booking.rejected", "booking.cancelled", "booking.started",
    "booking.ended", "extension.requested", "extension.approved", "extension.rejected", "followup.due",
    "billing.month_closed",
)
GIVE_UP_AFTER = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=4)
CLAIM = timedelta(minutes=5)  # a delivery being sent is not picked again for this long (a killed run retries)
TIMEOUT_SECONDS = 10
BATCH = 100


def register(session: Session, *, organisation_id: int, url: str, events: list[str], created_by: int | None,
             now: datetime, production: bool) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint; returns it with its secret (shown this once, stored encrypted)."""
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if not events or unknown:
        raise Invalid(f"Unknown or missing events: {', '.join(unknown) or '(none)'}. Known: {', '.join(EVENT_TYPES)}.",
                      field="events")
    if len(url) > 2000:
        raise Invalid("Adressen är för lång.", field="url")
    try:
        targets.check(url, production=production)
    except targets.RefusedTarget as error:
        raise Invalid(str(error), field="url") from error
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(organisation_id=organisation_id, url=url, events=" ".join(sorted(set(events))),
                               secret=secret, created_by=created_by, created_at=now)
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def endpoints_of(session: Session, organisation_id: int) -> list[WebhookEndpoint]:
    return list(session.execute(select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id == organisation_id, WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)).scalars())


def endpoint_of(session: Session, organisation_id: int, endpoint_id: int, *, removed: bool = False) -> WebhookEndpoint:
    """The organisation's endpoint; another organisation's (or a removed one, unless asked) is NotFound."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or (not endpoint.active and not removed) or endpoint.organisation_id != organisation_id:
        raise NotFound("Det finns ingen sådan webhook-mottagare.")
    return endpoint


def remove(session: Session, endpoint: WebhookEndpoint) -> None:
    """Deactivate: nothing more is sent to it (pending deliveries are dropped as failed)."""
    endpoint.active = False
    session.execute(update(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id,
                                                  WebhookDelivery.status == "pending").values(status="failed"))
    session.flush()


def deliveries_of(session: Session, endpoint: WebhookEndpoint, *, limit: int = 100):
    """The endpoint's latest deliveries, each with its attempts (oldest attempt first)."""
    rows = list(session.execute(select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
                                .order_by(WebhookDelivery.id.desc()).limit(limit)).scalars())
    attempts: dict[int, list[WebhookAttempt]] = {row.id: [] for row in rows}
    if rows:
        for attempt in session.execute(select(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(list(attempts)))
                                       .order_by(WebhookAttempt.id)).scalars():
            attempts[attempt.delivery_id].append(attempt)
    return [(row, attempts[row.id]) for row in rows]


def enqueue(session: Session, *, event_type: str, organisation_ids: set[int] | None, data: dict, now: datetime) -> int:
    """Add one delivery per subscribed endpoint (of these organisations; None: of every organisation).

    Runs inside the event's transaction, so a rolled-back change sends nothing. `data` must hold
    only ids, refs, statuses and dates: never participant data.
    """
    query = select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True))
    if organisation_ids is not None:
        query = query.where(WebhookEndpoint.organisation_id.in_(sorted(organisation_ids)))
    count = 0
    for endpoint in session.execute(query).scalars():
        if event_type not in endpoint.event_set:
            continue
        message_id = f"msg_{uuid.uuid4().hex}"
        body = json.dumps({"type": event_type, "timestamp": now.isoformat(), "data": data},
                          ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        session.add(WebhookDelivery(endpoint_id=endpoint.id, message_id=message_id, event_type=event_type,
                                    payload=body, created_at=now, next_attempt_at=now))
        count += 1
    if count:
        session.flush()
    return count


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 30 s, 1 min, 2 min, … doubling, at most 4 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def _claim(engine, delivery_id: int, now: datetime) -> bool:
    """Take one due delivery for this run; False when another run took it or it is no longer pending."""
    with Session(engine) as session, transaction(session):
        return bool(session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                   WebhookDelivery.next_attempt_at <= now)
            .values(next_attempt_at=now + CLAIM)).rowcount)


def _post(endpoint_url: str, secret: str, delivery: WebhookDelivery, now: datetime, production: bool):
    """Send once; returns (status_code or None, short error or None)."""
    try:
        targets.check(endpoint_url, production=production)  # again at sending: DNS may have changed
    except targets.RefusedTarget as error:
        return None, str(error)[:200]
    headers = signing.headers(secret, delivery.message_id, int(now.timestamp()), delivery.payload)
    try:
        response = requests.post(endpoint_url, data=delivery.payload.encode(), headers=headers,
                                 timeout=TIMEOUT_SECONDS, allow_redirects=False)
        response.close()
        return response.status_code, None
    except requests.RequestException as error:
        return None, error.__class__.__name__


def deliver_due(engine, *, now: datetime, production: bool) -> int:
    """Send every due delivery once; returns how many were delivered now.

    A 2xx answer marks it delivered (never sent again); anything else is an attempt, and the
    next one waits longer (backoff) until 24 hours after the event, when it is marked failed.
    """
    with Session(engine) as session:
        due = list(session.execute(select(WebhookDelivery.id).where(
            WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now)
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(BATCH)).scalars())
    delivered = 0
    for delivery_id in due:
        if not _claim(engine, delivery_id, now):
            continue
        with Session(engine, expire_on_commit=False) as session:
            delivery = session.get(WebhookDelivery, delivery_id)
            endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
            url, secret = endpoint.url, endpoint.secret
        status_code, error = _post(url, secret, delivery, now, production)
        ok = status_code is not None and 200 <= status_code < 300
        with Session(engine) as session, transaction(session):
            row = session.get(WebhookDelivery, delivery_id)
            row.attempts += 1
            session.add(WebhookAttempt(delivery_id=delivery_id, at=now, status_code=status_code, error=error))
            if ok:
                row.status, row.delivered_at = "delivered", now
                delivered += 1
            else:
                retry_at = now + backoff(row.attempts)
                if retry_at > _aware(row.created_at) + GIVE_UP_AFTER:
                    row.status = "failed"
                else:
                    row.next_attempt_at = retry_at
    return delivered


def _aware(moment: datetime) -> datetime:
    from datetime import timezone

    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
