"""Working together on a placement: messages and documents per booking.

Under the same need-to-know rule as participant data (policy.can_see_participant): only the
buyer's staff and the provider's coordinators see any of it, every read is audited, and
retention erases it with the participant data. Reads bookings only through bookings.public.
"""
