"""Supervisors (arbetsledare) assigned to programmes: who is assigned, assign, unassign. No Flask.

A programme's keepers assign (policy.can_assign_supervisors, asked by the adapters); only an
active supervisor of the programme's own organisation can be assigned
(policy.can_be_assigned_supervisor). The assignments travel with the actor
(`Actor.supervised_programme_ids`), so the policy answers without reading the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Programme
from marketplace import audit
from marketplace.auth import policy
from marketplace.auth.models import ProgrammeSupervisor, Role, User
from marketplace.auth.policy import Actor
from marketplace.kernel.errors import Invalid, NotFound


def programmes_of(session: Session, user_id: int, organisation_id: int, roles: frozenset[str]) -> frozenset[int]:
    """A supervisor's assigned programmes of its own organisation (an assignment left from another
    organisation counts for nothing); nothing, and no read, for anyone else."""
    if Role.SUPERVISOR.value not in roles:
        return frozenset()
    return frozenset(session.execute(
        select(ProgrammeSupervisor.programme_id).join(Programme, Programme.id == ProgrammeSupervisor.programme_id)
        .where(ProgrammeSupervisor.user_id == user_id, Programme.organisation_id == organisation_id)
    ).scalars())


@dataclass(frozen=True)
class Assignment:
    user: User
    assigned_at: datetime


def supervisors_of(session: Session, programme_id: int) -> list[Assignment]:
    """The programme's assigned supervisors, by name."""
    rows = session.execute(
        select(User, ProgrammeSupervisor.assigned_at).join(ProgrammeSupervisor, ProgrammeSupervisor.user_id == User.id)
        .where(ProgrammeSupervisor.programme_id == programme_id).order_by(User.name, User.id)
    ).all()
    return [Assignment(user, assigned_at) for user, assigned_at in rows]


def candidates(session: Session, programme: Programme) -> list[User]:
    """Active supervisors of the programme's organisation not yet assigned to it, by name."""
    assigned = select(ProgrammeSupervisor.user_id).where(ProgrammeSupervisor.programme_id == programme.id)
    users = session.execute(
        select(User).where(User.organisation_id == programme.organisation_id, User.active.is_(True),
                           User.id.not_in(assigned)).order_by(User.name, User.id)
    ).scalars()
    return [u for u in users if policy.can_be_assigned_supervisor(u.role_set, u.organisation_id, programme.organisation_id)]


def _user_of_organisation(session: Session, programme: Programme, user_id: int) -> User:
    """The user if it belongs to the programme's organisation; anyone else is unknown here (404)."""
    user = session.get(User, user_id) if 0 < user_id <= 2**31 - 1 else None
    if user is None or user.organisation_id != programme.organisation_id:
        raise NotFound("No such user at the programme's organisation.")
    return user


def assign(session: Session, programme: Programme, user_id: int, *, actor: Actor, now: datetime,
           ip: str | None = None) -> tuple[ProgrammeSupervisor, bool]:
    """Assign the supervisor (idempotent): (the assignment, whether it is new). Call inside a transaction."""
    user = _user_of_organisation(session, programme, user_id)
    if not user.active or not policy.can_be_assigned_supervisor(user.role_set, user.organisation_id,
                                                                programme.organisation_id):
        raise Invalid("The user is not an active supervisor of the programme's organisation.", field="user_id",
                      code="not_a_supervisor")
    existing = session.get(ProgrammeSupervisor, (programme.id, user.id))
    if existing is not None:
        return existing, False
    row = ProgrammeSupervisor(programme_id=programme.id, user_id=user.id, assigned_at=now, assigned_by_id=actor.user_id)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="programme.assign_supervisor", object_type="programme",
                 object_id=programme.id, now=now, ip=ip, details={"user_id": user.id})
    _forget(session, user.id)  # the supervisor's cached API actor carries its programmes
    return row, True


def unassign(session: Session, programme: Programme, user_id: int, *, actor: Actor, now: datetime,
             ip: str | None = None) -> bool:
    """End the assignment (idempotent): whether there was one. Call inside a transaction."""
    user = _user_of_organisation(session, programme, user_id)
    existing = session.get(ProgrammeSupervisor, (programme.id, user.id))
    if existing is None:
        return False
    session.delete(existing)
    session.flush()
    audit.record(session, actor=actor, action="programme.unassign_supervisor", object_type="programme",
                 object_id=programme.id, now=now, ip=ip, details={"user_id": user.id})
    _forget(session, user.id)
    return True


def _forget(session: Session, user_id: int) -> None:
    from marketplace.auth import tokens

    tokens.forget_users(session, [user_id])
