"""Use cases for user accounts: create, deactivate, change password, authenticate. No Flask."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace.auth import passwords, supervision, throttle, totp
from marketplace.auth.models import LoginAttempt, Role, User, UserSession, ApiToken
from marketplace.auth.policy import Actor
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Conflict, Invalid, NotFound

VALID_ROLES = {role.value for role in Role}


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session, *, email: str, password: str, name: str, organisation_code: str, roles: list[str], now: datetime
) -> User:
    """Create an active user; raises Invalid naming the field at fault, Conflict if the e-mail exists."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise Invalid("Ogiltig e-postadress.", field="email")
    if not name.strip():
        raise Invalid("Namn måste anges.", field="name")
    unknown = [role for role in roles if role not in VALID_ROLES]
    if not roles or unknown:
        raise Invalid(
            f"Okänd roll: {', '.join(unknown) or '(ingen)'}. Giltiga roller: {', '.join(sorted(VALID_ROLES))}.",
            field="roles",
        )
    organisation = session.execute(select(Organisation).where(Organisation.code == organisation_code.strip().upper())).scalar_one_or_none()
    if organisation is None:
        raise Invalid(f"Okänd organisation: {organisation_code}.", field="organisation")
    problem = passwords.password_problem(password)
    if problem:
        raise Invalid(problem, field="password")
    if session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict(f"Det finns redan en användare med e-postadressen {email}.", code="email_taken", field="email")
    user = User(
        email=email,
        name=name.strip(),
        organisation_id=organisation.id,
        roles=" ".join(sorted(set(roles))),
        password_hash=passwords.hash_password(password),
        created_at=now,
        password_changed_at=now,
    )
    session.add(user)
    session.flush()
    return user


def end_all_sessions(session: Session, user_id: int, *, keep_session: str | None = None) -> None:
    """Sign the user out everywhere (but the browser holding `keep_session`): browser sessions
    and API tokens stop working at once."""
    from marketplace.auth import tokens

    tokens.end_sessions(session, user_id, keep_session=keep_session)


def deactivate_user(session: Session, user: User) -> None:
    user.active = False
    end_all_sessions(session, user.id)
    session.add(user)
    session.flush()


def reactivate_user(session: Session, user: User) -> None:
    user.active = True
    session.add(user)
    session.flush()


def change_password(
    session: Session, user: User, *, current: str, new: str, now: datetime, keep_session: str | None = None
) -> None:
    """Set a new password and end every other session and all API tokens: whoever knew the old
    password (or stole a token) is out at once. `keep_session` is the changing browser's session."""
    if not passwords.verify_password(user.password_hash, current):
        raise Invalid("Nuvarande lösenord stämmer inte.", field="current_password")
    problem = passwords.password_problem(new)
    if problem:
        raise Invalid(problem, field="new_password")
    user.password_hash = passwords.hash_password(new)
    user.password_changed_at = now
    session.add(user)
    session.flush()
    end_all_sessions(session, user.id, keep_session=keep_session)


class Throttled(Exception):
    """Too many failed sign-ins for this account or address: answer 429."""


def authenticate(
    session: Session, *, email: str, password: str, ip: str, now: datetime, max_failures: int, window: timedelta
) -> User | None:
    """Return the user for correct credentials, else None; raise Throttled when refused.

    Runs its own short transactions (call it outside one): the attempt is reserved against
    the limits before the password is hashed, the hash is checked outside any transaction
    (the write lock is for the counter, not for argon2) and the outcome is written after
    (marketplace/auth/throttle.py). Every path that gets past the address limit costs one
    hash, so the time taken tells nothing about the account (unknown, deactivated, locked).
    """
    email = normalise_email(email)
    reservation, user = throttle.reserve_in_turn(
        session, email=email, ip=ip, now=now, limits=throttle.Limits(max_failures, window),
        load=lambda: session.execute(select(User).where(User.email == email)).scalar_one_or_none())
    if reservation.refused:
        raise Throttled()
    correct = passwords.verify_password(user.password_hash if user is not None else None, password)
    correct = correct and user.active
    # A locked account still lets the right password through to the one-time code (soft lockout).
    admitted = correct and (not reservation.account_locked or totp.is_enrolled(user))
    with transaction(session, write_lock=True):
        throttle.settle(session, reservation, "ok" if admitted else "refused" if correct else "failed")
    if reservation.account_locked and not admitted:
        raise Throttled()
    return user if admitted else None


def prune_login_attempts(session: Session, *, before: datetime) -> int:
    result = session.execute(delete(LoginAttempt).where(LoginAttempt.at < before))
    return result.rowcount or 0


def actor_for_user(session: Session, user: User) -> Actor:
    organisation = session.get(Organisation, user.organisation_id)
    return Actor(
        user_id=user.id,
        name=user.name,
        email=user.email,
        organisation_id=user.organisation_id,
        organisation_code=organisation.code if organisation else "",
        roles=user.role_set,
        organisation_name=organisation.name if organisation else "",
        supervised_programme_ids=supervision.programmes_of(session, user.id, user.organisation_id, user.role_set),
    )


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Användaren finns inte.")
    return user


def list_users(session: Session, *, query: str = "", offset: int = 0, limit: int = 50):
    statement = select(User).order_by(User.name)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(or_(func.lower(User.name).like(like), User.email.like(like)))
    total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    return session.execute(statement.offset(offset).limit(limit)).scalars().all(), total
