"""Property tests (hypothesis) for rules the example tests cannot cover exhaustively:
the booking state machine, calendar months for retention, TOTP replay protection."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pyotp
from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.auth.totp import DRIFT_STEPS, STEP_SECONDS, _matching_step
from marketplace.bookings.models import BookingStatus
from marketplace.bookings.states import FINAL, TRANSITIONS, Action, InvalidTransition, next_status
from marketplace.privacy import months_before

ACTIONS = st.sampled_from(list(Action))


@given(start=st.sampled_from([BookingStatus.REQUESTED, BookingStatus.WAITLISTED]), actions=st.lists(ACTIONS, max_size=30))
def test_any_sequence_of_actions_follows_the_table_and_final_states_absorb(start, actions):
    status = start
    for action in actions:
        try:
            after = next_status(status, action)
        except InvalidTransition:
            assert (status, action) not in TRANSITIONS
            continue
        assert TRANSITIONS[(status, action)] == after
        assert status not in FINAL
        if after == BookingStatus.REQUESTED:
            assert status == BookingStatus.WAITLISTED  # only an offer of a freed place re-opens a hold
        status = after
    assert status in set(BookingStatus)


@given(status=st.sampled_from(sorted(FINAL)), action=ACTIONS)
def test_nothing_moves_a_booking_out_of_a_final_state(status, action):
    try:
        next_status(status, action)
    except InvalidTransition:
        return
    raise AssertionError(f"{action} moved a {status} booking")


def test_the_final_states_are_exactly_the_ends_of_a_placement():
    assert FINAL == {BookingStatus.ENDED, BookingStatus.REJECTED, BookingStatus.CANCELLED, BookingStatus.EXPIRED}


@given(day=st.dates(min_value=date(2001, 1, 1), max_value=date(2100, 12, 31)), months=st.integers(0, 240))
def test_months_before_is_that_many_calendar_months_back_and_never_later(day, months):
    earlier = months_before(day, months)
    assert (day.year * 12 + day.month) - (earlier.year * 12 + earlier.month) == months
    assert earlier <= day
    assert earlier.day == day.day or earlier.day < day.day and (earlier + timedelta(days=1)).day == 1


@settings(max_examples=200)
@given(seconds=st.integers(1_600_000_000, 2_000_000_000), offset=st.integers(-5, 5), last=st.integers(-3, 3))
def test_a_totp_code_is_accepted_only_near_now_and_only_after_the_last_step(seconds, offset, last):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    now = datetime.fromtimestamp(seconds, tz=timezone.utc)
    current = seconds // STEP_SECONDS
    step = current + offset
    code = pyotp.TOTP(secret).generate_otp(step)
    last_step = current + last
    accepted = _matching_step(secret, code, now, last_step)
    if abs(offset) <= DRIFT_STEPS and step > last_step:
        assert accepted is not None and accepted > last_step
    elif accepted is not None:  # another step in the window happens to share the code (1 in 10^6)
        assert accepted != step and abs(accepted - current) <= DRIFT_STEPS and accepted > last_step
