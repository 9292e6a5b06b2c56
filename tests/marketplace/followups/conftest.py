import pytest

from marketplace.followups import handlers


@pytest.fixture(autouse=True)
def _schedule_handler_connected():
    """Another area's test clears every booking_status_changed receiver (receivers.clear());
    reconnect ours (idempotent) so these tests see the app as it runs in production."""
    handlers.connect()
    yield
