"""Mail settings per kind of notification: immediately (the default), daily or never.

Each booking or billing dispute mail template belongs to one kind the user can set; mail of
no kind here (a programme's confirmation reminder) always goes at once. No Flask: the pages
and the API both call these.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.kernel.errors import Invalid
from marketplace.notifications.models import NotificationSetting

IMMEDIATELY, DAILY, NEVER = "immediately", "daily", "never"
CHOICES = (IMMEDIATELY, DAILY, NEVER)
DEFAULT = IMMEDIATELY

# kind -> the mail templates (notifications/mail_templates.py) it covers.
KINDS: dict[str, tuple[str, ...]] = {
    "request": ("booking_requested", "extension_requested"),
    "decision": ("booking_approved", "booking_rejected", "booking_cancelled", "booking_ended", "hold_expired",
                 "extension_approved", "extension_rejected", "summary_written"),
    "message": ("booking_message", "booking_document"),
    "meeting": ("meeting_planned", "meeting_cancelled"),
    "followup_due": ("followup_overdue",),
    "waitlist_offer": ("place_offered",),
    "dispute": ("dispute_raised", "dispute_accepted", "dispute_credit_agreed", "dispute_rejected", "dispute_credited"),
}
KIND_OF_TEMPLATE = {template: kind for kind, templates in KINDS.items() for template in templates}


def kind_of(mail_kind: str | None) -> str | None:
    """The settable kind a mail template belongs to (None: always sent at once)."""
    return KIND_OF_TEMPLATE.get(mail_kind or "")


def settings_of(session: Session, user_id: int) -> dict[str, str]:
    """Every kind with the user's choice (the default where they made none)."""
    chosen = dict(session.execute(
        select(NotificationSetting.kind, NotificationSetting.mail).where(NotificationSetting.user_id == user_id)).all())
    return {kind: chosen.get(kind, DEFAULT) for kind in KINDS}


def choice_for(session: Session, user_id: int, kind: str) -> str:
    row = session.get(NotificationSetting, (user_id, kind))
    return row.mail if row is not None else DEFAULT


def validate(changes: dict[str, object]) -> dict[str, str]:
    """The changes as {kind: choice}; Invalid naming every wrong kind or value (nothing is applied)."""
    errors = []
    for kind, value in changes.items():
        if kind not in KINDS:
            errors.append((kind, "unknown kind: use one of " + ", ".join(KINDS)))
        elif value not in CHOICES:
            errors.append((kind, "must be one of " + ", ".join(CHOICES)))
    if errors:
        raise Invalid("Ogiltiga aviseringsinställningar.", errors=errors)
    return {kind: str(value) for kind, value in changes.items()}


def update(session: Session, user_id: int, changes: dict[str, object], *, now: datetime) -> dict[str, str]:
    """Apply the changed kinds (the others keep theirs); returns what changed as {kind: [old, new]}."""
    wanted = validate(changes)
    current = settings_of(session, user_id)
    changed = {}
    for kind, value in wanted.items():
        if current[kind] == value:
            continue
        row = session.get(NotificationSetting, (user_id, kind))
        if row is None:
            session.add(NotificationSetting(user_id=user_id, kind=kind, mail=value, updated_at=now))
        else:
            row.mail, row.updated_at = value, now
        changed[kind] = [current[kind], value]
    session.flush()
    return changed
