"""Opaque secrets for API tokens and browser sessions; only their SHA-256 is stored.

A bearer token is checked on every API request. The check is one query (token, user and
organisation joined) and, when `INSATSTORGET_API_TOKEN_CACHE_SECONDS` is above 0, its answer
is kept per worker process for at most that many seconds (`ActorCache`). What the cache
holds is a plain `Actor` (no ORM object), keyed by the token's digest, and only for a
lookup that succeeded: an unknown, expired, revoked or deactivated token is asked of the
database every time. A cached answer is refused the moment the token's own expiry passes.
Revoking a token or deactivating its user through this process (revoke_api_token, i.e.
DELETE /api/v1/auth/token; end_sessions, i.e. a password change, "sign out everywhere" or
a deactivation; or any flush that changes a user's active flag, roles, organisation, name
or e-mail) forgets that user's entries at once; a change made by another process takes
effect there within the TTL at most (set the TTL to 0 for "at once" in every worker).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from catalog.models import Organisation
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


class ActorCache:
    """Recent successful bearer-token lookups of this process: digest -> (actor, token expiry, stored at)."""

    MAX_ENTRIES = 10_000

    def __init__(self, monotonic: Callable[[], float] = time.monotonic):
        self.monotonic = monotonic
        self._entries: dict[str, tuple[Actor, datetime, float]] = {}
        self._lock = threading.Lock()

    def get(self, key: str, *, ttl: float, now: datetime) -> Actor | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        actor, expires_at, stored = entry
        if self.monotonic() - stored >= ttl or expires_at <= now:
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            return None
        return actor

    def put(self, key: str, actor: Actor, expires_at: datetime) -> None:
        with self._lock:
            if len(self._entries) >= self.MAX_ENTRIES:
                self._entries.clear()  # rare; a full cache only costs one query per token again
            self._entries[key] = (actor, expires_at, self.monotonic())

    def forget_user(self, user_id: int) -> None:
        with self._lock:
            for key in [k for k, (actor, _, _) in self._entries.items() if actor.user_id == user_id]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


actor_cache = ActorCache()


def actor_for_api_token(session: Session, secret: str, *, now: datetime, cache_seconds: float = 0) -> Actor | None:
    """The actor of a live token of an active user, or None; one query, or none within the cache TTL."""
    key = digest(secret)
    if cache_seconds > 0:
        cached = actor_cache.get(key, ttl=cache_seconds, now=now)
        if cached is not None:
            return cached
    row = session.execute(
        select(User.id, User.name, User.email, User.organisation_id, User.roles, Organisation.code, Organisation.name,
               ApiToken.expires_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(ApiToken.token_hash == key, ApiToken.expires_at > now, ApiToken.revoked.is_(False), User.active.is_(True))
    ).first()
    if row is None:
        return None  # never cached: the next request asks the database again
    user_id, name, email, organisation_id, roles, organisation_code, organisation_name, expires_at = row
    from marketplace.auth.supervision import programmes_of

    role_set = frozenset(roles.split())
    actor = Actor(user_id=user_id, name=name, email=email, organisation_id=organisation_id,
                  organisation_code=organisation_code or "", roles=role_set,
                  organisation_name=organisation_name or "",
                  supervised_programme_ids=programmes_of(session, user_id, organisation_id, role_set))
    if cache_seconds > 0:
        actor_cache.put(key, actor, expires_at)
    return actor


def bearer_secret(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def actor_for_bearer(session: Session, header: str, *, cache_seconds: float = 0) -> Actor | None:
    from marketplace.kernel import clock

    secret = bearer_secret(header)
    if secret is None:
        return None
    return actor_for_api_token(session, secret, now=clock.now(), cache_seconds=cache_seconds)


def revoke_api_token(session: Session, secret: str) -> bool:
    """Delete the token with this secret; its user's cached actors go with it (the flush hook below)."""
    found = session.execute(select(ApiToken).where(ApiToken.token_hash == digest(secret))).scalar_one_or_none()
    if found is None:
        return False
    session.delete(found)
    session.flush()
    return True


# Changes that must reach the cache of this process at once (other processes: within the TTL).
_USER_FIELDS = ("active", "roles", "organisation_id", "name", "email")
PENDING_FORGET = "forget_actor_users"


def forget_users(session: Session, user_ids) -> None:
    """Drop these users' cached actors now, and again when `session` commits (a request of another
    thread may cache the old row in between)."""
    for user_id in user_ids:
        actor_cache.forget_user(user_id)
    if user_ids:
        session.info.setdefault(PENDING_FORGET, set()).update(user_ids)


@event.listens_for(Session, "after_flush")
def _forget_changed_users(session: Session, _context) -> None:
    changed: set[int] = set()
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, User) and obj.id is not None:
            state = sa_inspect(obj)
            if obj in session.deleted or any(state.attrs[name].history.has_changes() for name in _USER_FIELDS):
                changed.add(obj.id)
        elif isinstance(obj, ApiToken) and obj.user_id is not None:
            changed.add(obj.user_id)
    forget_users(session, changed)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    for user_id in session.info.pop(PENDING_FORGET, ()):
        actor_cache.forget_user(user_id)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING_FORGET, None)


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


def end_sessions(session: Session, user_id: int, *, keep_session: str | None = None) -> None:
    """End the user's browser sessions (all but `keep_session`, a session secret) and delete all
    their API tokens; this process stops accepting them at once (other processes: see the module doc)."""
    ended = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_session is not None:
        ended = ended.where(UserSession.session_hash != digest(keep_session))
    session.execute(ended)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))
    # A bulk delete passes no ORM object through the flush hook.
    forget_users(session, {user_id})


def live_sessions(session: Session, user_id: int, *, now: datetime) -> list[UserSession]:
    return list(session.execute(
        select(UserSession).where(UserSession.user_id == user_id, UserSession.expires_at > now)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
    ).scalars())


def live_api_tokens(session: Session, user_id: int, *, now: datetime) -> list[ApiToken]:
    return list(session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.expires_at > now, ApiToken.revoked.is_(False))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    ).scalars())


def is_session(user_session: UserSession, secret: str | None) -> bool:
    """Whether this row is the session of the browser holding `secret`."""
    return secret is not None and user_session.session_hash == digest(secret)
