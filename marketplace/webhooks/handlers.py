"""Turn booking transitions into webhook events (subscribes to bookings' booking_status_changed).

The payload names the booking by id and ref with its status, dates and the organisations'
codes: never the participant's name, contact, needs or reference.
"""

from __future__ import annotations

from catalog.models import Organisation, Programme
from marketplace.bookings.public import BookingStatus, booking_extension_changed, booking_status_changed
from marketplace.webhooks import service

EVENT_FOR_STATUS = {
    BookingStatus.REQUESTED.value: "booking.requested",
    BookingStatus.WAITLISTED.value: "booking.requested",
    BookingStatus.APPROVED.value: "booking.approved",
    BookingStatus.REJECTED.value: "booking.rejected",
    BookingStatus.CANCELLED.value: "booking.cancelled",
    BookingStatus.ACTIVE.value: "booking.started",
    BookingStatus.ENDED.value: "booking.ended",
}


def event_type(from_status: str | None, to_status: str) -> str | None:
    if from_status == to_status:
        return None  # an approved extension: sent as extension.approved by on_extension_changed
    if from_status is not None and to_status == BookingStatus.WAITLISTED.value:
        return None
    return EVENT_FOR_STATUS.get(to_status)


def booking_data(session, booking, *, from_status: str | None) -> tuple[dict, set[int]]:
    programme = session.get(Programme, booking.programme_id)
    buyer = session.get(Organisation, booking.buyer_organisation_id)
    provider = session.get(Organisation, programme.organisation_id)
    data = {
        "booking_id": booking.id, "booking_ref": booking.ref, "status": booking.status, "previous_status": from_status,
        "programme_id": booking.programme_id, "programme_code": programme.code,
        "buyer_organisation": buyer.code, "provider_organisation": provider.code,
        "start_date": booking.start_date.isoformat(), "end_date": booking.end_date.isoformat(),
    }
    return data, {buyer.id, provider.id}


def on_booking_status_changed(booking, *, session, from_status=None, to_status=None, now=None, **_):
    """Runs inside the transition's transaction: the outbox rows commit (or not) with it."""
    kind = event_type(from_status, to_status)
    if kind is None:
        return
    data, organisations = booking_data(session, booking, from_status=from_status)
    service.enqueue(session, event_type=kind, organisation_ids=organisations, data=data, now=now)


def on_extension_changed(booking, *, session, kind, end_date, extension_end_date, now, **_):
    """extension.requested / .approved / .rejected, to the buyer and the provider; never the reason typed."""
    data, organisations = booking_data(session, booking, from_status=booking.status)
    data.update({"previous_end_date": end_date.isoformat(), "extension_end_date": extension_end_date.isoformat()})
    service.enqueue(session, event_type=f"extension.{kind}", organisation_ids=organisations, data=data, now=now)


def on_month_closed(result, *, session, now, **_):
    """billing.month_closed, to every organisation's subscribed endpoints (connected by the composition root)."""
    data = {"period": result.period, "status": "closed", "closed_at": result.closed_at.isoformat()}
    service.enqueue(session, event_type="billing.month_closed", organisation_ids=None, data=data, now=now)


def on_followup_due(followup, *, session, booking, programme, now, **_):
    """followup.due: a follow-up is overdue (sent with its reminder), to the buyer and the provider."""
    data = {"followup_id": followup.id, "sequence": followup.sequence, "due_date": followup.due_date.isoformat(),
            "booking_id": booking.id, "booking_ref": booking.ref, "programme_id": programme.id,
            "programme_code": programme.code}
    service.enqueue(session, event_type="followup.due",
                    organisation_ids={booking.buyer_organisation_id, programme.organisation_id}, data=data, now=now)


def connect() -> None:
    """Idempotent: connecting the same listener again changes nothing."""
    booking_status_changed.connect(on_booking_status_changed, weak=False)
    booking_extension_changed.connect(on_extension_changed, weak=False)
