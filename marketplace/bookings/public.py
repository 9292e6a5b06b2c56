"""What other features may read of bookings: the booking tables, the billable view that
billing prices, the capacity rules the catalogue shows, and the hooks follow-ups use.

Everything else in the package is internal (import contract in pyproject.toml)."""

from marketplace.bookings import capacity
from marketplace.bookings.billable import (
    BILLABLE_STATUSES,
    BillableBooking,
    billable_bookings,
    bookings_by_ids,
    bookings_changed_since,
    get_booking_record,
)
from marketplace.bookings.flow import booking_link, coordinators_of, record_participant_read, requester_of
from marketplace.bookings.models import Booking, BookingEvent, BookingStatus
from marketplace.bookings.queries import get_collaborating_booking, get_visible_booking, provider_id, scope_condition
from marketplace.bookings.signals import booking_extension_changed, booking_status_changed

__all__ = [
    "BILLABLE_STATUSES", "BillableBooking", "Booking", "BookingEvent", "BookingStatus",
    "billable_bookings", "booking_extension_changed", "booking_status_changed", "bookings_by_ids", "bookings_changed_since",
    "booking_link", "capacity", "coordinators_of", "get_booking_record", "get_collaborating_booking", "get_visible_booking",
    "provider_id",
    "record_participant_read", "requester_of", "scope_condition",
]
