"""Use cases for user accounts: create, deactivate, change password, authenticate. No Flask."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace.auth import passwords
from marketplace.auth.models import LoginAttempt, Role, User, UserSession, ApiToken
from marketplace.auth.policy import Actor
from marketplace.errors import Conflict, Invalid, NotFound

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


def count_recent_failures(session: Session, *, email: str, ip: str, since: datetime) -> int:
    """Failed sign-ins for this account or this address since `since` (the larger count)."""
    by_email = session.execute(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email, LoginAttempt.at >= since)
    ).scalar_one()
    by_ip = session.execute(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.ip == ip, LoginAttempt.at >= since)
    ).scalar_one()
    return max(by_email, by_ip)


def is_throttled(session: Session, *, email: str, ip: str, now: datetime, max_failures: int, window: timedelta) -> bool:
    """The one throttle rule for every sign-in step: `max_failures` failures in `window` stop the next try."""
    return count_recent_failures(session, email=email, ip=ip, since=now - window) >= max_failures


class Throttled(Exception):
    """Too many failed sign-ins for this account or address: answer 429."""


def authenticate(
    session: Session, *, email: str, password: str, ip: str, now: datetime, max_failures: int, window: timedelta
) -> User | None:
    """Return the user for correct credentials, else None (and record the failure).

    The throttle is checked first and counts in the database, so every worker sees it:
    after `max_failures` failures in `window`, the next attempt raises Throttled.
    """
    email = normalise_email(email)
    if is_throttled(session, email=email, ip=ip, now=now, max_failures=max_failures, window=window):
        raise Throttled()
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is not None and user.active and passwords.verify_password(user.password_hash, password):
        return user
    if user is None:
        passwords.verify_password(None, password)
    session.add(LoginAttempt(email=email[:254], ip=ip[:64], at=now))
    session.flush()
    return None


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
