"""Signals billing sends; the composition root connects the listeners (webhooks)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

month_closed = _signals.signal("billing-month-closed")
month_closed.__doc__ = """Sent once when a month is closed, inside the closing transaction.

sender: the CloseResult (period, closed_at, line_count, total_ore).
kwargs: session (sqlalchemy Session; listeners may add rows, never commit), now (aware UTC datetime).
"""
