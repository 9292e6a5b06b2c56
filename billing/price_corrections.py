"""Correct a booking's agreed price (finance/admin); corrections follow from recomputation.

The booking row changes, a BookingEvent note and an audit row record who and why; closed
months are never touched — the next close sees the new price and writes correction lines.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from billing import money
from marketplace import audit
from marketplace.auth.policy import Actor
from marketplace.bookings.public import Booking, BookingEvent
from marketplace.kernel.errors import Invalid, NotFound

MAX_PRICE_ORE = 100_000_000_00  # 100 million kronor: anything above is a typing error


def correct_booking_price(session: Session, booking_id: int, new_price_ore: int, *, actor: Actor, now: datetime,
                          reason: str = "", ip: str | None = None) -> Booking:
    """Set Booking.price_ore to `new_price_ore` (öre, ≥ 0); Invalid (422) for a bad amount."""
    if not isinstance(new_price_ore, int) or isinstance(new_price_ore, bool) or not 0 <= new_price_ore <= MAX_PRICE_ORE:
        raise Invalid("The price must be an amount from 0 to 100 000 000 kronor.", field="price", code="bad_price")
    booking = session.get(Booking, booking_id, with_for_update=True)
    if booking is None:
        raise NotFound("No such booking.")
    old = booking.price_ore
    if old == new_price_ore:
        return booking
    booking.price_ore = new_price_ore
    booking.updated_at = now
    booking.version += 1
    note = f"Price corrected from {money.format_amount(old)} to {money.format_amount(new_price_ore)} SEK per {booking.price_unit}"
    if reason.strip():
        note += f": {reason.strip()[:500]}"
    session.add(BookingEvent(booking_id=booking.id, at=now, actor_id=actor.user_id, from_status=booking.status,
                             to_status=booking.status, note=note))
    audit.record(session, actor=actor, action="booking.correct_price", object_type="booking", object_id=booking.id,
                 now=now, ip=ip, details={"from_ore": old, "to_ore": new_price_ore})
    session.flush()
    return booking
