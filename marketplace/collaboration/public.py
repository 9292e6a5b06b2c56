"""What other features may use of collaboration: erasing a booking's messages and documents
with its participant data (privacy). Everything else is internal (import contract)."""

from marketplace.collaboration.flow import erase_for_booking
from marketplace.collaboration.models import BookingDocument, BookingMessage

__all__ = ["BookingDocument", "BookingMessage", "erase_for_booking"]
