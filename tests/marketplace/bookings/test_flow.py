"""Use cases of the booking flow: request, decide, waitlist, cancel, end, extend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.bookings import flow, queries
from marketplace.bookings.models import Booking, BookingEvent, IdempotencyRecord
from marketplace.bookings.signals import booking_status_changed
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.notifications.models import Notification, OutboxMessage
from tests.marketplace.bookings._factories import _make_programme
from tests.marketplace.bookings._helpers import NOW, TODAY, _actor, _event_count, _request, _run


def test_a_request_holds_a_place_for_ten_days_at_the_programmes_price(db, staff_user, coordinator):
    programme = _make_programme(db, capacity=1, price_ore=812_500, price_unit="day")
    received = []
    def _receiver(sender, **kwargs):
        received.append((sender.id, kwargs["from_status"], kwargs["to_status"], kwargs["actor_id"], kwargs["now"]))
    booking_status_changed.connect(_receiver)
    try:
        booking = _request(db, staff_user, programme)
    finally:
        booking_status_changed.disconnect(_receiver)

    assert booking.status == "requested"
    assert booking.hold_expires_at == NOW + timedelta(days=10)
    assert (booking.price_ore, booking.price_unit) == (812_500, "day")
    assert booking.ref == f"B-2026-{booking.id:06d}"
    assert received == [(booking.id, None, "requested", staff_user.id, NOW)]
    assert [e.to_status for e in db.execute(select(BookingEvent).where(BookingEvent.booking_id == booking.id)).scalars()] == ["requested"]
    note = db.execute(select(Notification).where(Notification.user_id == coordinator.id)).scalar_one()
    assert booking.ref in note.message
    mail = db.execute(select(OutboxMessage).where(OutboxMessage.recipient == coordinator.email)).scalar_one()
    assert "Ahmed" not in mail.body and "Ahmed" not in mail.subject
    audit = db.execute(select(AuditLog).where(AuditLog.action == "booking.request")).scalar_one()
    assert "Ahmed" not in str(audit.details)


def test_the_hold_length_is_configurable(db, staff_user):
    programme = _make_programme(db, capacity=1)
    booking = _request(db, staff_user, programme, hold_days=3)
    assert booking.hold_expires_at == NOW + timedelta(days=3)


def test_a_full_programme_refuses_unless_the_requester_joins_the_waitlist(db, staff_user, other_staff_user):
    programme = _make_programme(db, capacity=1)
    _request(db, staff_user, programme)

    with pytest.raises(Conflict) as raised:
        _request(db, other_staff_user, programme)
    assert raised.value.code == "no_capacity"
    assert raised.value.params["day"] == "2026-03-16"

    first = _request(db, other_staff_user, programme, waitlist=True)
    second = _request(db, staff_user, programme, waitlist=True)
    assert (first.status, first.hold_expires_at) == ("waitlisted", None)
    assert queries.waitlist_position(db, first) == 1
    assert queries.waitlist_position(db, second) == 2


def test_a_request_with_room_ignores_the_waitlist_flag(db, staff_user):
    booking = _request(db, staff_user, _make_programme(db, capacity=1), waitlist=True)
    assert booking.status == "requested"


@pytest.mark.parametrize("overrides, field", [
    ({"start": TODAY - timedelta(days=1)}, "start_date"),
    ({"end_date": date(2026, 3, 15)}, "end_date"),
    ({"weeks": 53}, "end_date"),
    ({"participant_name": "  "}, "participant.name"),
    ({"goals": ""}, "assignment.goals"),
    ({"decision_date": TODAY + timedelta(days=1)}, "decision.date"),
])
def test_invalid_requests_name_the_field_and_write_nothing(db, staff_user, overrides, field):
    programme = _make_programme(db, capacity=1, max_weeks=52)
    with pytest.raises(Invalid) as raised:
        _request(db, staff_user, programme, **overrides)
    assert field in [f for f, _m in raised.value.errors]
    assert db.execute(select(Booking)).first() is None


@pytest.mark.parametrize("status", ["draft", "paused", "archived"])
def test_only_published_programmes_can_be_requested(db, staff_user, status):
    with pytest.raises(Invalid) as raised:
        _request(db, staff_user, _make_programme(db, status=status))
    assert raised.value.errors[0][0] == "programme_id"


def test_a_request_without_a_decision_is_accepted_and_flagged_by_its_empty_decision(db, staff_user):
    booking = _request(db, staff_user, _make_programme(db), decision_reference=None, decision_date=None)
    assert booking.status == "requested" and booking.decision_reference is None


def test_approving_tells_the_requester(db, staff_user, coordinator):
    booking = _request(db, staff_user, _make_programme(db))
    _run(db, flow.approve_booking, booking, actor=_actor(db, coordinator), now=NOW + timedelta(hours=2))
    assert (booking.status, booking.decided_by_id) == ("approved", coordinator.id)
    assert db.execute(select(Notification).where(Notification.user_id == staff_user.id)).scalar_one().message.endswith("är godkänd.")


def test_a_rejection_needs_a_reason_and_gives_the_place_to_the_first_waitlisted_booking_whose_dates_fit(
        db, staff_user, other_staff_user, coordinator):
    programme = _make_programme(db, capacity=1)
    holder = _request(db, staff_user, programme, start=date(2026, 3, 16), weeks=4)
    _request(db, staff_user, programme, start=date(2026, 4, 20), weeks=2)  # holds late April
    late = _request(db, other_staff_user, programme, start=date(2026, 4, 6), weeks=4, waitlist=True)  # overlaps April
    fits = _request(db, other_staff_user, programme, start=date(2026, 3, 20), weeks=1, waitlist=True)
    also_fits = _request(db, staff_user, programme, start=date(2026, 3, 23), weeks=1, waitlist=True)
    actor = _actor(db, coordinator)

    with pytest.raises(Invalid):
        _run(db, flow.reject_booking, holder, actor=actor, now=NOW, reason=" ", hold_days=10)
    _run(db, flow.reject_booking, holder, actor=actor, now=NOW, reason="Ingen handledare", hold_days=10)

    for booking in (late, fits, also_fits):
        db.refresh(booking)
    assert (holder.status, holder.decision_reason) == ("rejected", "Ingen handledare")
    assert (late.status, fits.status, also_fits.status) == ("waitlisted", "requested", "waitlisted")
    assert fits.hold_expires_at == NOW + timedelta(days=10)
    assert queries.waitlist_position(db, late) == 1 and queries.waitlist_position(db, also_fits) == 2
    assert any("blev ledig" in n.message for n in db.execute(select(Notification).where(Notification.user_id == other_staff_user.id)).scalars())


def test_an_expired_hold_can_still_be_approved_while_its_place_is_free_but_not_once_taken(db, staff_user, other_staff_user, coordinator):
    programme = _make_programme(db, capacity=1)
    first = _request(db, staff_user, programme, hold_days=1)
    later = NOW + timedelta(days=2)
    _run(db, flow.approve_booking, first, actor=_actor(db, coordinator), now=later)
    assert first.status == "approved"

    other = _make_programme(db, capacity=1)
    lapsed = _request(db, staff_user, other, hold_days=1)
    _request(db, other_staff_user, other, now=later)  # takes the place the lapsed hold no longer counts
    with pytest.raises(Conflict) as raised:
        _run(db, flow.approve_booking, lapsed, actor=_actor(db, coordinator), now=later)
    assert raised.value.code == "hold_expired"


def test_cancel_is_allowed_before_the_start_date_only(db, staff_user, coordinator):
    programme = _make_programme(db, capacity=2)
    booking = _request(db, staff_user, programme, start=date(2026, 3, 16))
    _run(db, flow.approve_booking, booking, actor=_actor(db, coordinator), now=NOW)

    with pytest.raises(Conflict) as raised:
        _run(db, flow.cancel_booking, booking, actor=_actor(db, staff_user), now=NOW, today=date(2026, 3, 16),
             reason="Flyttat", hold_days=10)
    assert raised.value.code == "already_started"
    _run(db, flow.cancel_booking, booking, actor=_actor(db, staff_user), now=NOW, today=date(2026, 3, 15),
         reason="Flyttat", hold_days=10)
    assert booking.status == "cancelled"


def test_ending_early_needs_an_outcome_and_frees_the_remaining_days_for_the_waitlist(db, staff_user, other_staff_user, coordinator):
    programme = _make_programme(db, capacity=1)
    booking = _request(db, staff_user, programme, start=date(2026, 3, 16), weeks=8)
    _run(db, flow.approve_booking, booking, actor=_actor(db, coordinator), now=NOW)
    waiting = _request(db, other_staff_user, programme, start=date(2026, 4, 6), weeks=2, waitlist=True)
    actor = _actor(db, staff_user)
    end_kwargs = dict(actor=actor, now=NOW, today=date(2026, 4, 1), hold_days=10)

    with pytest.raises(Invalid) as raised:
        _run(db, flow.end_booking, booking, end_date=date(2026, 4, 3), outcome="lottery", **end_kwargs)
    assert raised.value.field == "outcome"
    with pytest.raises(Invalid):
        _run(db, flow.end_booking, booking, end_date=date(2026, 6, 1), outcome="work", **end_kwargs)
    with pytest.raises(Invalid):
        _run(db, flow.end_booking, booking, end_date=date(2026, 3, 15), outcome="work", **end_kwargs)
    _run(db, flow.end_booking, booking, end_date=date(2026, 4, 3), outcome="work", **end_kwargs)

    db.refresh(waiting)
    assert (booking.status, booking.end_date, booking.outcome) == ("ended", date(2026, 4, 3), "work")
    assert waiting.status == "requested"


def test_an_extension_needs_room_and_the_providers_approval(db, staff_user, other_staff_user, coordinator):
    programme = _make_programme(db, capacity=1)
    booking = _request(db, staff_user, programme, start=date(2026, 3, 16), weeks=2)  # to 29 March
    _run(db, flow.approve_booking, booking, actor=_actor(db, coordinator), now=NOW)
    _request(db, other_staff_user, programme, start=date(2026, 4, 6), weeks=1)

    with pytest.raises(Conflict) as raised:
        _run(db, flow.request_extension, booking, actor=_actor(db, staff_user), now=NOW, new_end_date=date(2026, 4, 10))
    assert raised.value.code == "no_capacity"
    with pytest.raises(Invalid):
        _run(db, flow.request_extension, booking, actor=_actor(db, staff_user), now=NOW, new_end_date=date(2026, 3, 20))
    _run(db, flow.request_extension, booking, actor=_actor(db, staff_user), now=NOW, new_end_date=date(2026, 4, 5))
    assert (booking.end_date, booking.extension_end_date) == (date(2026, 3, 29), date(2026, 4, 5))
    with pytest.raises(Conflict) as raised:
        _run(db, flow.request_extension, booking, actor=_actor(db, staff_user), now=NOW, new_end_date=date(2026, 4, 4))
    assert raised.value.code == "extension_pending"

    received = []

    def _listen(sender, **kw):
        received.append((kw["from_status"], kw["to_status"]))

    booking_status_changed.connect(_listen, weak=False)
    try:
        _run(db, flow.approve_extension, booking, actor=_actor(db, coordinator), now=NOW)
    finally:
        booking_status_changed.disconnect(_listen)
    assert (booking.end_date, booking.extension_end_date) == (date(2026, 4, 5), None)
    assert received == [("approved", "approved")]


def test_an_extension_is_rechecked_on_approval_and_can_be_rejected(db, staff_user, other_staff_user, coordinator):
    programme = _make_programme(db, capacity=1)
    booking = _request(db, staff_user, programme, start=date(2026, 3, 16), weeks=2)
    _run(db, flow.approve_booking, booking, actor=_actor(db, coordinator), now=NOW)
    _run(db, flow.request_extension, booking, actor=_actor(db, staff_user), now=NOW, new_end_date=date(2026, 4, 12))
    _request(db, other_staff_user, programme, start=date(2026, 4, 6), weeks=1)  # the pending extension held nothing

    with pytest.raises(Conflict):
        _run(db, flow.approve_extension, booking, actor=_actor(db, coordinator), now=NOW)
    _run(db, flow.reject_extension, booking, actor=_actor(db, coordinator), now=NOW, reason="Fullt i april")
    assert (booking.end_date, booking.extension_end_date) == (date(2026, 3, 29), None)
    with pytest.raises(Conflict) as raised:
        _run(db, flow.reject_extension, booking, actor=_actor(db, coordinator), now=NOW, reason="igen")
    assert raised.value.code == "no_extension_pending"


def test_the_same_idempotency_key_returns_the_first_booking(db, staff_user):
    programme = _make_programme(db, capacity=3)
    first = _request(db, staff_user, programme, key="abc-123")
    with transaction(db, write_lock=True):
        again = flow.request_place(db, flow.PlaceRequest(**{**_as_dict(programme), }), actor=_actor(db, staff_user),
                                   now=NOW, today=TODAY, hold_days=10, idempotency_key="abc-123")
    assert (again.booking.id, again.created) == (first.id, False)
    assert len(db.execute(select(Booking)).all()) == 1
    assert db.execute(select(IdempotencyRecord.booking_id)).scalar_one() == first.id


def _as_dict(programme):
    from tests.marketplace.bookings._helpers import _place_request
    return _place_request(programme).__dict__


# --- every status × every use case ----------------------------------------------------------

def _arrange(db, status, staff_user, coordinator, programme):
    """A booking in `status` starting today (or later for a cancel of an approved place)."""
    booking = _request(db, staff_user, programme, start=date(2026, 3, 16), waitlist=status == "waitlisted")
    if status in ("requested", "waitlisted"):
        return booking
    with transaction(db):
        booking.status = status
        booking.extension_end_date = booking.end_date + timedelta(days=3) if status in ("approved", "active") else None
    return booking


def _use_cases(staff, coordinator, today):
    return {
        "approve": (flow.approve_booking, dict(actor=coordinator, now=NOW)),
        "reject": (flow.reject_booking, dict(actor=coordinator, now=NOW, reason="Nej", hold_days=10)),
        "cancel": (flow.cancel_booking, dict(actor=staff, now=NOW, today=date(2026, 3, 1), reason="Flytt", hold_days=10)),
        "start": (flow.start_booking, dict(now=NOW, today=today)),
        "end": (flow.end_booking, dict(actor=staff, now=NOW, today=today, end_date=date(2026, 3, 20), outcome="studies", hold_days=10)),
        "expire": (flow.expire_hold, dict(now=NOW + timedelta(days=11), hold_days=10)),
        "request_extension": (flow.request_extension, dict(actor=staff, now=NOW, new_end_date=date(2026, 5, 1))),
        "approve_extension": (flow.approve_extension, dict(actor=coordinator, now=NOW)),
        "reject_extension": (flow.reject_extension, dict(actor=coordinator, now=NOW, reason="Nej")),
    }


EXPECTED_USE_CASE = {
    ("requested", "approve"): "approved", ("requested", "reject"): "rejected", ("requested", "cancel"): "cancelled",
    ("requested", "expire"): "expired", ("waitlisted", "cancel"): "cancelled", ("approved", "cancel"): "cancelled",
    ("approved", "start"): "active", ("approved", "end"): "ended", ("active", "end"): "ended",
    ("approved", "approve_extension"): "approved", ("active", "approve_extension"): "active",
    ("approved", "reject_extension"): "approved", ("active", "reject_extension"): "active",
}
STATUSES = ["requested", "waitlisted", "approved", "active", "ended", "rejected", "cancelled", "expired"]


@pytest.mark.parametrize("status", STATUSES)
def test_every_use_case_from_every_status_moves_or_answers_409_and_changes_nothing(db, staff_user, coordinator, status):
    use_cases = _use_cases(_actor(db, staff_user), _actor(db, coordinator), date(2026, 3, 16))
    signals: list = []
    booking_status_changed.connect(_record_signal := lambda sender, **kw: signals.append((sender.id, kw["to_status"])))
    try:
        _check_every_use_case(db, staff_user, coordinator, status, use_cases, signals)
    finally:
        booking_status_changed.disconnect(_record_signal)


def _check_every_use_case(db, staff_user, coordinator, status, use_cases, signals):
    for action, (use_case, kwargs) in use_cases.items():
        programme = _make_programme(db, capacity=1)
        if status == "waitlisted":
            _request(db, staff_user, programme, start=date(2026, 3, 16))
        booking = _arrange(db, status, staff_user, coordinator, programme)
        events_before = _event_count(db, booking)
        signals.clear()
        expected = EXPECTED_USE_CASE.get((status, action))

        if expected is None:  # includes a second extension while one is pending
            if action == "expire":
                assert _run(db, use_case, booking, **kwargs) is None, action
            else:
                with pytest.raises(Conflict):
                    _run(db, use_case, booking, **kwargs)
            db.refresh(booking)
            assert (action, booking.status) == (action, status)
            assert _event_count(db, booking) == events_before, action
            assert signals == [], action
        else:
            _run(db, use_case, booking, **kwargs)
            db.refresh(booking)
            assert (action, booking.status) == (action, expected)
            assert _event_count(db, booking) == events_before + 1, action
            if action != "reject_extension":  # the end date is unchanged: nothing for listeners
                assert (booking.id, expected) in signals, action
