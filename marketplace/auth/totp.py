"""The TOTP second factor (RFC 6238, via pyotp): enrolment and verification. No Flask.

A code is accepted for the current 30-second step or one step either side (clock drift),
and never for a step at or before the last one accepted, so an overheard code cannot be
replayed (OWASP ASVS 5, V6 authentication, level 2).
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
from sqlalchemy.orm import Session

from marketplace.auth import policy
from marketplace.auth.models import LoginAttempt, User
from marketplace.auth.models import TotpState

ISSUER = "Insatstorget"
STEP_SECONDS = 30
DRIFT_STEPS = 1


def must_verify(user: User) -> bool:
    """Admin and finance always need the second factor; anyone who enrolled uses it too."""
    return policy.needs_second_factor(user.role_set) or user.totp_secret is not None


def is_enrolled(user: User) -> bool:
    return user.totp_secret is not None


def _state(session: Session, user: User) -> TotpState:
    state = session.get(TotpState, user.id)
    if state is None:
        state = TotpState(user_id=user.id)
        session.add(state)
    return state


def start_enrolment(session: Session, user: User) -> str:
    """Return the secret the user is asked to add to an authenticator app.

    The same pending secret is returned until it is confirmed, so reloading the page does
    not invalidate what the user already scanned.
    """
    state = _state(session, user)
    if not state.pending_secret:
        state.pending_secret = pyotp.random_base32()
    session.flush()
    return state.pending_secret


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def normalise_code(code: str | None) -> str | None:
    digits = (code or "").replace(" ", "").replace("-", "").strip()
    return digits if len(digits) == 6 and digits.isdigit() else None


def _matching_step(secret: str, code: str, now: datetime, last_step: int) -> int | None:
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > last_step and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(session: Session, user: User, code: str | None, *, now: datetime) -> bool:
    """Make the pending secret the user's second factor if `code` proves they hold it."""
    state = _state(session, user)
    code = normalise_code(code)
    if not state.pending_secret or code is None:
        return False
    step = _matching_step(state.pending_secret, code, now, 0)
    if step is None:
        return False
    user.totp_secret = state.pending_secret
    state.pending_secret = None
    state.last_step = step
    state.enrolled_at = now
    session.add(user)
    session.flush()
    return True


def verify(session: Session, user: User, code: str | None, *, now: datetime) -> bool:
    """Check a sign-in code; a step once accepted is spent (replay protection)."""
    code = normalise_code(code)
    if user.totp_secret is None or code is None:
        return False
    state = _state(session, user)
    step = _matching_step(user.totp_secret, code, now, state.last_step or 0)
    if step is None:
        return False
    state.last_step = step
    session.flush()
    return True


def record_failure(session: Session, *, email: str, ip: str, now: datetime) -> None:
    """A wrong code counts in the same shared throttle as a wrong password."""
    session.add(LoginAttempt(email=email[:254], ip=ip[:64], at=now))
    session.flush()


def reset(session: Session, user: User) -> None:
    """Forget the user's second factor (lost phone); admin/finance must enrol again."""
    user.totp_secret = None
    state = session.get(TotpState, user.id)
    if state is not None:
        session.delete(state)
    session.add(user)
    session.flush()
