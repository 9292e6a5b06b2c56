"""Telling both sides of a dispute: a start-page note and a mail for each person concerned but
the one acting.

The buyer's side is its district finance and coordinators and whoever raised the dispute; the
provider's side its district finance and coordinators. Notes name the booking ref, the month
and the decision (fixed text), never the reason or the note typed by people. The mail is a
fixed template of kind "dispute" (marketplace/notifications/mail_templates.py) and goes through
notify() like every other mail, so each person's setting decides: now, in the daily digest or never.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing import money
from billing.disputes.models import Decision, Dispute
from marketplace.auth.models import Role, User
from marketplace.auth.policy import Actor
from marketplace.notifications.mail_templates import Mail, dispute_mail
from marketplace.notifications.notify import notify

_SIDE_ROLES = (Role.DISTRICT_FINANCE.value, Role.COORDINATOR.value)


def link(dispute: Dispute) -> str:
    return f"/fakturering/tvister/{dispute.id}"


def concerned(session: Session, dispute: Dispute) -> list[User]:
    """Active users of both organisations holding district finance or coordinator, and the raiser."""
    users = session.execute(
        select(User).where(User.organisation_id.in_((dispute.buyer_organisation_id, dispute.provider_organisation_id)),
                           User.active.is_(True)).order_by(User.id)).scalars()
    chosen = [user for user in users if any(user.has_role(role) for role in _SIDE_ROLES) or user.id == dispute.raised_by_id]
    return chosen


def _tell(session: Session, dispute: Dispute, message: str, mail: Mail, *, actor: Actor | None, now: datetime) -> None:
    for user in concerned(session, dispute):
        if actor is None or user.id != actor.user_id:
            notify(session, user=user, message=message, now=now, link=link(dispute), mail=mail)


def _mail(kind: str, dispute: Dispute, *, period: str | None = None) -> Mail:
    return dispute_mail(kind, ref=dispute.booking_ref, period=period or dispute.period, number=dispute.id,
                        credit_ore=dispute.credit_ore)


def raised(session: Session, dispute: Dispute, *, actor: Actor, now: datetime) -> None:
    _tell(session, dispute, f"Faktureringen av {dispute.booking_ref} för {dispute.period} är bestridd (tvist {dispute.id}).",
          _mail("dispute_raised", dispute), actor=actor, now=now)


def resolved(session: Session, dispute: Dispute, *, actor: Actor, now: datetime) -> None:
    if dispute.decision == Decision.ACCEPTED.value and dispute.credit_ore:
        message = (f"Tvist {dispute.id} om {dispute.booking_ref} ({dispute.period}) är godkänd med en kreditering på "
                   f"{money.format_decimal_comma(dispute.credit_ore)} kr i nästa månad som stängs.")
        kind = "dispute_credit_agreed"
    elif dispute.decision == Decision.ACCEPTED.value:
        message = f"Tvist {dispute.id} om {dispute.booking_ref} ({dispute.period}) är godkänd utan kreditering."
        kind = "dispute_accepted"
    else:
        message = f"Tvist {dispute.id} om {dispute.booking_ref} ({dispute.period}) är avslagen."
        kind = "dispute_rejected"
    _tell(session, dispute, message, _mail(kind, dispute), actor=actor, now=now)


def credited(session: Session, dispute: Dispute, period: str, *, now: datetime) -> None:
    """`period` is the month whose close wrote the credit line."""
    _tell(session, dispute, f"Krediteringen för tvist {dispute.id} om {dispute.booking_ref} är med i {period}.",
          _mail("dispute_credited", dispute, period=period), actor=None, now=now)
