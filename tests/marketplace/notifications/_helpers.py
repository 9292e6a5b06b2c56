"""Notes for a user, written the way the service writes them (notify)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from marketplace.auth.models import User
from marketplace.notifications.mail_templates import mail
from marketplace.notifications.notify import notify


def add_notes(engine, user, count: int, *, at: datetime, kind: str = "booking_approved") -> list[int]:
    """`count` notes (one minute apart, the last newest) with their mail; returns their ids."""
    ids = []
    with Session(engine, expire_on_commit=False) as session:
        stored = session.get(User, user.id)
        for number in range(count):
            note = notify(session, user=stored, message=f"Förfrågan B-2026-{number + 1:06d} är godkänd.",
                          now=at + timedelta(minutes=number), link=f"/placeringar/{number + 1}",
                          mail=mail(kind, f"B-2026-{number + 1:06d}"))
            session.flush()
            ids.append(note.id)
        session.commit()
    return ids
