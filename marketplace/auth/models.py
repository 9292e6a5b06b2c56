"""Users, roles, API tokens, server-side sign-in sessions and sign-in attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime
from marketplace.kernel.field_crypto import EncryptedString


class Role(StrEnum):
    STAFF = "staff"
    COORDINATOR = "coordinator"
    FINANCE = "finance"
    DISTRICT_FINANCE = "district_finance"
    ADMIN = "admin"
    SUPERVISOR = "supervisor"  # arbetsledare: the programmes it is assigned to
    MANAGER = "manager"  # enhetschef: reads its organisation's bookings (no participant data) and statistics


class User(SQLModel, table=True):
    """A person at one organisation holding one or more roles (space-separated in `roles`)."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, sa_column_kwargs={"unique": True}, nullable=False)
    name: str = Field(max_length=200)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    roles: str = Field(max_length=100)
    password_hash: str = Field(max_length=300)
    active: bool = True
    totp_secret: str | None = Field(default=None, max_length=64, sa_type=EncryptedString)  # encrypted at rest
    locale: str | None = Field(default=None, max_length=5)
    created_at: datetime = Field(sa_type=UTCDateTime)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    @property
    def role_set(self) -> frozenset[str]:
        return frozenset(self.roles.split())

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.role_set


class ProgrammeSupervisor(SQLModel, table=True):
    """A supervisor (arbetsledare) assigned to one programme of its own organisation by a coordinator."""

    __tablename__ = "programme_supervisor"

    programme_id: int = Field(foreign_key="programme.id", primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", primary_key=True, index=True)
    assigned_at: datetime = Field(sa_type=UTCDateTime)
    assigned_by_id: int | None = Field(default=None, foreign_key="app_user.id")


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored, so a database copy cannot be replayed."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True}, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked: bool = False


class UserSession(SQLModel, table=True):
    """A signed-in browser. Deleting the row ends the session on the server."""

    __tablename__ = "user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    session_hash: str = Field(max_length=64, sa_column_kwargs={"unique": True}, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    second_factor_done: bool = False


class LoginAttempt(SQLModel, table=True):
    """Sign-in attempts, counted in the database so every worker sees the same throttle.

    `outcome` is "pending" (reserved before the hash is checked), "failed", "ok", "refused"
    (throttled) or "unavailable" (busy database); pending and failed count. `kind` is
    "password" or "second_factor" (marketplace/auth/throttle.py).
    """

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_email_at", "email", "at"), Index("ix_login_attempt_ip_at", "ip", "at"))

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    ip: str = Field(max_length=64)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(default="password", max_length=16, sa_column_kwargs={"server_default": "password"})
    outcome: str = Field(default="failed", max_length=16, sa_column_kwargs={"server_default": "failed"})


class TotpState(SQLModel, table=True):
    """A user's second-factor bookkeeping: the secret waiting for confirmation and the
    last time step accepted (a code is never accepted twice: replay protection)."""

    __tablename__ = "totp_state"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    pending_secret: str | None = Field(default=None, max_length=64, sa_type=EncryptedString)  # encrypted at rest
    last_step: int = 0
    enrolled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
