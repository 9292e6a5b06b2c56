"""Signals follow-ups send; the composition root connects the listeners (webhooks)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

followup_due = _signals.signal("followup-due")
followup_due.__doc__ = """Sent once per follow-up when it is overdue (with its reminder), inside that transaction.

sender: the FollowUp. kwargs: session, booking, programme, now (aware UTC datetime).
Listeners may add rows to session, never commit.
"""
