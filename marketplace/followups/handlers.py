"""Keep follow-up schedules in step with booking transitions (subscribes to booking_status_changed).

Connected when marketplace.followups is imported. The bookings package never learns who
listens (STYLE 4.4); if its signal module is not there yet, the nightly sweep in jobs.py
still builds every schedule.
"""

from __future__ import annotations

import importlib.util

from marketplace.followups import flow


def on_booking_status_changed(booking, *, session, from_status=None, to_status=None, actor_id=None, now=None, **_):
    """Runs inside the transition's transaction, so the schedule commits (or not) with it."""
    if from_status is None and to_status not in flow.SCHEDULED_STATUSES:
        return  # a new request or waitlisting: no follow-ups yet and none wanted (saves a read per request)
    flow.ensure_schedule(session, booking, now=now)


def connect() -> bool:
    if importlib.util.find_spec("marketplace.bookings.signals") is None:
        return False
    from marketplace.bookings.public import booking_status_changed

    booking_status_changed.connect(on_booking_status_changed, weak=False)
    return True


CONNECTED = connect()
