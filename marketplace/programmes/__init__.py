"""The catalogue's pages and endpoints: catalog's rules joined with bookings' free places."""
