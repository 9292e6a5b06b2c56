"""The sign-in throttle: an attempt is reserved atomically before the hash, settled after. No Flask.

Why: checking the count, then hashing, then recording the failure let parallel guesses all
pass the check before any of them was counted. Here the count and the reservation are one
short write transaction (SQLite: the write gate and BEGIN IMMEDIATE; PostgreSQL: transaction
advisory locks on the account and the address), the password is hashed outside any
transaction, and the outcome is written afterwards. A pending attempt counts as a failure
until it is settled, so a request that dies in between (a 503) is still counted; attempts in
flight from one address make the next one from it wait for them (colleagues behind one
address signing in at once), not fail.

The rules (OWASP ASVS 5, V6.3):
- per address, hard: `max_failures` failures of any kind from one address within `window`
  refuse the next attempt from it before anything is checked;
- per account, soft: after `max_failures` password failures for one e-mail the password is
  still checked, and an account with a second factor still gets on with the right password
  (and then its one-time code). Every other attempt on a locked account is answered as
  throttled, whatever the password, so the answer tells nothing about the account. A stranger
  can thus keep a password-only account locked, never admin or finance (their code is required);
- the code step counts second-factor failures per account and every failure per address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from marketplace.auth.models import LoginAttempt
from marketplace.kernel.db import is_sqlite, transaction

PASSWORD, SECOND_FACTOR = "password", "second_factor"
COUNTED = ("pending", "failed")
# First key of PostgreSQL's two-key advisory locks: apart from the scheduler's one-key locks.
_LOCK_CLASS = 6_301
# A pending attempt older than this died with its request (a 503, a killed worker): it counts as failed.
IN_FLIGHT = timedelta(seconds=30)
# How long a sign-in waits for attempts in flight from its address before it is refused.
WAIT_SECONDS, WAIT_POLL_SECONDS = 5.0, 0.02


@dataclass(frozen=True)
class Limits:
    max_failures: int
    window: timedelta


def limits(settings) -> Limits:
    """The limits from Settings (INSATSTORGET_LOGIN_MAX_FAILURES, _LOGIN_WINDOW_MINUTES)."""
    return Limits(settings.login_max_failures, timedelta(minutes=settings.login_window_minutes))


@dataclass(frozen=True)
class Reservation:
    """The outcome of `reserve`: refused (no attempt may be made) or an attempt row to settle."""

    attempt_id: int | None
    refused: bool = False
    account_locked: bool = False
    wait: bool = False  # over the address limit only by attempts still in flight: try again shortly


def _failures(session: Session, *conditions) -> int:
    return session.execute(
        select(func.count()).select_from(LoginAttempt).where(LoginAttempt.outcome.in_(COUNTED), *conditions)
    ).scalar_one()


def _address_failures(session: Session, ip: str, since: datetime, now: datetime) -> tuple[int, int]:
    """(failed, in flight) from one address: pending attempts younger than IN_FLIGHT are still being checked."""
    in_flight = (LoginAttempt.outcome == "pending") & (LoginAttempt.at >= now - IN_FLIGHT)
    row = session.execute(
        select(func.count(), func.count().filter(in_flight)).select_from(LoginAttempt)
        .where(LoginAttempt.outcome.in_(COUNTED), LoginAttempt.ip == ip, LoginAttempt.at >= since)
    ).one()
    return row[0] - row[1], row[1]


def _serialise(session: Session, email: str, ip: str) -> None:
    """Make count-then-insert atomic for this account and this address until the transaction ends.

    SQLite: the caller's transaction(write_lock=True) already excludes every other writer.
    PostgreSQL: one advisory lock per key, taken in a fixed order so two requests cannot deadlock.
    """
    if is_sqlite(session):
        return
    for key in sorted({f"email:{email}", f"ip:{ip}"}):
        session.execute(text("SELECT pg_advisory_xact_lock(:c, hashtext(:k))"), {"c": _LOCK_CLASS, "k": key})


def reserve(session: Session, *, email: str, ip: str, now: datetime, limits: Limits, kind: str = PASSWORD,
            may_wait: bool = False) -> Reservation:
    """Check the limits and write the attempt as pending, in one step.

    Call inside transaction(session, write_lock=True). A refused attempt is written too
    (outcome "refused", not counted), so every refusal is on record. With `may_wait`, an
    address over the limit only because of attempts still being checked gets `wait` instead
    (nothing written): many colleagues behind one address signing in at once wait their turn.
    """
    email, ip = email[:254], ip[:64]
    _serialise(session, email, ip)
    since = now - limits.window
    failed, in_flight = _address_failures(session, ip, since, now)
    if failed + in_flight >= limits.max_failures:
        if may_wait and failed < limits.max_failures:
            return Reservation(None, wait=True)
        session.add(LoginAttempt(email=email, ip=ip, at=now, kind=kind, outcome="refused"))
        session.flush()
        return Reservation(None, refused=True)
    account_failures = _failures(session, LoginAttempt.email == email, LoginAttempt.kind == kind, LoginAttempt.at >= since)
    row = LoginAttempt(email=email, ip=ip, at=now, kind=kind, outcome="pending")
    session.add(row)
    session.flush()
    return Reservation(row.id, account_locked=account_failures >= limits.max_failures)


def reserve_in_turn(session: Session, *, email: str, ip: str, now: datetime, limits: Limits, load=lambda: None):
    """`reserve` for a password attempt, waiting up to WAIT_SECONDS for attempts in flight from
    the same address to settle; returns (reservation, load()) with `load` run in the same
    short transaction (so nothing stays open while the password is hashed)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        with transaction(session, write_lock=True):
            reservation = reserve(session, email=email, ip=ip, now=now, limits=limits,
                                  may_wait=time.monotonic() < deadline)
            loaded = load() if reservation.attempt_id is not None else None
        if not reservation.wait:
            return reservation, loaded
        time.sleep(WAIT_POLL_SECONDS)


def settle(session: Session, reservation: Reservation, outcome: str) -> None:
    """Record how a reserved attempt ended: "ok", "failed" (counts) or "refused" (does not)."""
    if reservation.attempt_id is not None:
        session.execute(update(LoginAttempt).where(LoginAttempt.id == reservation.attempt_id).values(outcome=outcome))


def record_unavailable(session: Session, *, email: str, ip: str, now: datetime, kind: str = PASSWORD) -> None:
    """A sign-in the busy database answered with 503: on record, not counted (nothing was checked)."""
    session.add(LoginAttempt(email=email[:254], ip=ip[:64], at=now, kind=kind, outcome="unavailable"))
    session.flush()


def code_step_refused(session: Session, *, email: str, ip: str, now: datetime, limits: Limits) -> Reservation:
    """Reserve a one-time-code attempt: hard per address, per account only by code failures."""
    reservation = reserve(session, email=email, ip=ip, now=now, limits=limits, kind=SECOND_FACTOR)
    if reservation.account_locked:
        settle(session, reservation, "refused")
        return Reservation(None, refused=True)
    return reservation
