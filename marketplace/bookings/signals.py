"""Signals the booking flow sends; other packages subscribe (follow-ups, statistics).

Marketplace never learns who listens. Handlers run inside the sender's transaction: they
may add rows to `session` (they commit or roll back with the transition) and must not
commit, send mail or call out of the process.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

booking_status_changed = _signals.signal("booking-status-changed")
booking_status_changed.__doc__ = """Sent by every status transition of a booking, inside its transaction.

sender: the Booking (already in its new status, flushed).
kwargs: session (sqlalchemy Session), from_status (str | None; None when created),
to_status (str), actor_id (int | None; None for scheduler jobs), now (aware UTC datetime).
An extension of end_date that the provider approves is sent with from_status == to_status.
"""

booking_extension_changed = _signals.signal("booking-extension-changed")
booking_extension_changed.__doc__ = """Sent when an extension is requested, approved or rejected, inside its transaction.

sender: the Booking (flushed; on approval end_date is already the new one).
kwargs: session, kind ("requested" | "approved" | "rejected"), end_date (the booking's end date
before the decision), extension_end_date (the requested new last day), actor_id, now.
"""
