"""Decide several requests at once: each one by the rules of a single decision (visibility,
policy, the flow's approve_booking/reject_booking), in its own transaction, so one that fails
(no place left, no longer a request, no reason given) leaves the others decided. No Flask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from marketplace.auth import policy
from marketplace.auth.policy import Actor
from marketplace.bookings import flow, queries
from marketplace.bookings.models import Booking
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError, Forbidden, Invalid, NotFound

MAX_DECISIONS = 100
DECISIONS = ("approve", "reject")


@dataclass(frozen=True)
class Decision:
    booking_id: int
    decision: str  # "approve" | "reject"
    reason: str | None = None


@dataclass(frozen=True)
class Result:
    decision: Decision
    booking: Booking | None  # None when the caller may not see it (or it does not exist)
    error: DomainError | None

    @property
    def ok(self) -> bool:
        return self.error is None


def _decide_one(session: Session, actor: Actor, item: Decision, *, now: Callable[[], datetime], hold_days: int,
                ip: str | None) -> Result:
    booking = queries.get_visible_booking(session, actor, item.booking_id)
    if booking is None:
        return Result(item, None, NotFound("Det finns ingen sådan placering.", code="not_found"))
    if not policy.can_decide_booking(actor, queries.provider_id(session, booking)):
        return Result(item, booking, Forbidden("Bara anordnarens samordnare beslutar om en förfrågan.", code="forbidden"))
    try:
        with transaction(session, write_lock=True):
            if item.decision == "approve":
                flow.approve_booking(session, booking, actor=actor, now=now())
            elif item.decision == "reject":
                flow.reject_booking(session, booking, actor=actor, now=now(), reason=item.reason or "", hold_days=hold_days)
            else:
                raise Invalid("Välj godkänn eller avslå.", field="decision")
            flow.record_participant_read(session, booking, actor=actor, now=now(), ip=ip, via="bulk-decision")
    except DomainError as error:
        session.refresh(booking)
        return Result(item, booking, error)
    return Result(item, booking, None)


def decide_many(session: Session, actor: Actor, decisions: list[Decision], *, now: Callable[[], datetime],
                hold_days: int, ip: str | None = None) -> list[Result]:
    """One result per decision, in the order given; each decided (or refused) on its own."""
    if len(decisions) > MAX_DECISIONS:
        raise Invalid("Högst 100 beslut åt gången.", field="decisions")
    return [_decide_one(session, actor, item, now=now, hold_days=hold_days, ip=ip) for item in decisions]
