"""The marketplace service: app factory, configuration, auth, bookings and jobs."""
