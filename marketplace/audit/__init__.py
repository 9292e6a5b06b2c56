"""Write audit rows. No Flask: adapters pass the actor and the client address.

Actions are dotted verbs: "booking.read_participant", "booking.approve", "programme.update",
"user.create", "organisation.update_accounts", "billing.close", "access.denied", …
Never put participant names, contact details or needs into `details`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from marketplace.audit.models import AuditLog
from marketplace.auth.policy import Actor


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    object_type: str,
    object_id: int | str | None = None,
    now: datetime,
    ip: str | None = None,
    outcome: str = "ok",
    details: dict | None = None,
) -> AuditLog:
    """Append one audit row in the caller's transaction (it commits with the change it records)."""
    row = AuditLog(
        at=now,
        actor_id=actor.user_id if actor else None,
        actor_email=actor.email if actor else None,
        organisation_code=actor.organisation_code if actor else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=ip,
        outcome=outcome,
        details=details or {},
    )
    session.add(row)
    return row
