"""Bookings (placements): request, hold, approve, waitlist, lifecycle and capacity.

Importing the package registers the full-days index's flush hook (full_days.py), so every
process that writes bookings (server workers, scheduler, CLI) keeps the index in step,
not only those that happened to run an availability search first.
"""

from marketplace.bookings import full_days  # noqa: F401  (registers the after_flush hook)
