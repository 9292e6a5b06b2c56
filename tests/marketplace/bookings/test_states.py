"""The transition table: every status × every action, against DESIGN.md's diagram."""

from __future__ import annotations

import pytest

from marketplace.bookings.models import BookingStatus as S
from marketplace.bookings.states import FINAL, Action, InvalidTransition, allowed_actions, next_status

# Written out from DESIGN.md (Booking flow) and the issue, independently of states.py.
EXPECTED = {
    (S.REQUESTED, Action.APPROVE): S.APPROVED,
    (S.REQUESTED, Action.REJECT): S.REJECTED,
    (S.REQUESTED, Action.EXPIRE): S.EXPIRED,
    (S.REQUESTED, Action.CANCEL): S.CANCELLED,
    (S.APPROVED, Action.CANCEL): S.CANCELLED,
    (S.WAITLISTED, Action.CANCEL): S.CANCELLED,
    (S.WAITLISTED, Action.OFFER): S.REQUESTED,
    (S.APPROVED, Action.START): S.ACTIVE,
    (S.APPROVED, Action.END): S.ENDED,
    (S.ACTIVE, Action.END): S.ENDED,
    **{(s, a): s for s in (S.APPROVED, S.ACTIVE)
       for a in (Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION)},
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", list(Action))
def test_every_status_and_action_moves_as_the_design_says_or_is_refused_with_409(status, action):
    if (status, action) in EXPECTED:
        assert next_status(status, action) == EXPECTED[(status, action)]
    else:
        with pytest.raises(InvalidTransition) as raised:
            next_status(status, action)
        assert raised.value.status == 409
        assert raised.value.params == {"status": status.value, "action": action.value}


def test_ended_rejected_cancelled_and_expired_are_final():
    assert FINAL == {S.ENDED, S.REJECTED, S.CANCELLED, S.EXPIRED}
    for status in FINAL:
        assert allowed_actions(status) == []


def test_an_unknown_status_or_action_is_refused_not_crashed():
    with pytest.raises(InvalidTransition):
        next_status("teleported", Action.APPROVE)
    with pytest.raises(InvalidTransition):
        next_status(S.REQUESTED, "explode")
