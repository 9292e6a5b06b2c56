"""The booking state machine as a table (DESIGN.md, Booking flow). Pure: no session, no Flask.

Every action either moves a booking from its status to the status in TRANSITIONS or is
refused with InvalidTransition (409). Date guards (cancel only before start, start only on
the start date) and the pending extension are checked by the use cases in flow.py.
"""

from __future__ import annotations

from enum import StrEnum

from marketplace.bookings.models import BookingStatus as S
from marketplace.kernel.errors import Conflict


class Action(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"
    START = "start"
    END = "end"
    EXPIRE = "expire"
    OFFER = "offer"  # a waitlisted booking gets a freed place: a new hold
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REJECT_EXTENSION = "reject_extension"


TRANSITIONS: dict[tuple[S, Action], S] = {
    (S.REQUESTED, Action.APPROVE): S.APPROVED,
    (S.REQUESTED, Action.REJECT): S.REJECTED,
    (S.REQUESTED, Action.EXPIRE): S.EXPIRED,
    (S.REQUESTED, Action.CANCEL): S.CANCELLED,
    (S.WAITLISTED, Action.CANCEL): S.CANCELLED,
    (S.WAITLISTED, Action.OFFER): S.REQUESTED,
    (S.APPROVED, Action.CANCEL): S.CANCELLED,
    (S.APPROVED, Action.START): S.ACTIVE,
    (S.APPROVED, Action.END): S.ENDED,
    (S.ACTIVE, Action.END): S.ENDED,
    # An extension keeps the status; the event records the new end date.
    (S.APPROVED, Action.REQUEST_EXTENSION): S.APPROVED,
    (S.ACTIVE, Action.REQUEST_EXTENSION): S.ACTIVE,
    (S.APPROVED, Action.APPROVE_EXTENSION): S.APPROVED,
    (S.ACTIVE, Action.APPROVE_EXTENSION): S.ACTIVE,
    (S.APPROVED, Action.REJECT_EXTENSION): S.APPROVED,
    (S.ACTIVE, Action.REJECT_EXTENSION): S.ACTIVE,
}

# Statuses from which no action leads anywhere.
FINAL = frozenset(S) - {status for status, _action in TRANSITIONS}


class InvalidTransition(Conflict):
    code = "invalid_transition"


def next_status(status: str, action: Action | str) -> S:
    """Return the status after `action`, or raise InvalidTransition (409) naming both."""
    try:
        return TRANSITIONS[(S(status), Action(action))]
    except (KeyError, ValueError):
        raise InvalidTransition(
            f"Action '{action}' is not allowed on a booking with status '{status}'.",
            status=str(status), action=str(action),
        ) from None


def allowed_actions(status: str) -> list[Action]:
    """The actions the table allows from `status` (pages show only these)."""
    return [action for (source, action) in TRANSITIONS if source == status]
