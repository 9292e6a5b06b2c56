"""Bookings (placements): request, hold, approve, waitlist, lifecycle and capacity."""
