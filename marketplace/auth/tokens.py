"""Opaque secrets for API tokens and browser sessions; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.auth.models import ApiToken, User, UserSession
from marketplace.auth.policy import Actor


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_api_token(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> tuple[str, ApiToken]:
    """Create a token; the plain secret is returned once and never stored."""
    secret = new_secret()
    token = ApiToken(user_id=user.id, token_hash=digest(secret), created_at=now, expires_at=now + lifetime)
    session.add(token)
    session.flush()
    return secret, token


def user_for_api_token(session: Session, secret: str, *, now: datetime) -> User | None:
    row = session.execute(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == digest(secret), ApiToken.expires_at > now, ApiToken.revoked.is_(False))
    ).scalar_one_or_none()
    return row if row is not None and row.active else None


def actor_for_bearer(session: Session, header: str) -> Actor | None:
    from marketplace import clock
    from marketplace.auth.accounts import actor_for_user

    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    user = user_for_api_token(session, secret.strip(), now=clock.now())
    return actor_for_user(session, user) if user else None


def open_user_session(session: Session, user: User, *, now: datetime, lifetime: timedelta) -> str:
    secret = new_secret()
    session.add(UserSession(user_id=user.id, session_hash=digest(secret), created_at=now, expires_at=now + lifetime))
    session.flush()
    return secret


def find_user_session(session: Session, secret: str, *, now: datetime) -> tuple[UserSession, User] | None:
    row = session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.session_hash == digest(secret), UserSession.expires_at > now, User.active.is_(True))
    ).first()
    return (row[0], row[1]) if row else None


def close_user_session(session: Session, secret: str) -> None:
    found = session.execute(select(UserSession).where(UserSession.session_hash == digest(secret))).scalar_one_or_none()
    if found is not None:
        session.delete(found)
        session.flush()
