"""Demo data for `insatstorget seed-demo`: users for every role, programmes, bookings.

Idempotent: each step looks for what it would create and adds only what is missing.
Other packages append their own steps to DEMO_STEPS (programmes, bookings).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.auth.accounts import create_user
from marketplace.auth.models import User
from marketplace.kernel.db import transaction

DEMO_PASSWORD = "demo-losen-2026"
# The demo admin's and finance user's TOTP key (base32). Demo only: never seed it in production.
DEMO_TOTP_SECRET = "INSATSTORGETDEMOKODADMINEKONOMXY"

DEMO_USERS = (
    # email, name, organisation, roles
    ("handlaggare.rk@demo.stockholm.se", "Amina Yusuf", "RK", ["staff"]),
    ("samordnare.rk@demo.stockholm.se", "Johan Lindqvist", "RK", ["coordinator"]),
    ("handlaggare.st@demo.stockholm.se", "Sara Nilsson", "ST", ["staff"]),
    ("samordnare.st@demo.stockholm.se", "Mehmet Demir", "ST", ["coordinator"]),
    ("handlaggare.so@demo.stockholm.se", "Karin Berg", "SO", ["staff"]),
    ("samordnare.hv@demo.stockholm.se", "Leila Haddad", "HV", ["coordinator"]),
    ("samordnare.amf@demo.stockholm.se", "Per Ekström", "AMF", ["coordinator"]),
    ("samordnare.kuf@demo.stockholm.se", "Elin Sjöberg", "KUF", ["coordinator"]),
    ("ekonom@demo.stockholm.se", "Anders Holm", "AMF", ["finance"]),
    ("ekonom.rk@demo.stockholm.se", "Sofia Rahimi", "RK", ["district_finance"]),
    ("arbetsledare.rk@demo.stockholm.se", "Nils Öberg", "RK", ["supervisor"]),
    ("enhetschef.rk@demo.stockholm.se", "Ingrid Wallin", "RK", ["manager"]),
    ("admin@demo.stockholm.se", "Maria Ström", "AMF", ["admin"]),
)


def seed_users(session: Session, *, today: date, now: datetime) -> str:
    added = 0
    for email, name, organisation, roles in DEMO_USERS:
        if session.execute(select(User.id).where(User.email == email)).first() is None:
            user = create_user(session, email=email, password=DEMO_PASSWORD, name=name, organisation_code=organisation, roles=roles, now=now)
            if {"admin", "finance", "district_finance"} & set(roles):
                user.totp_secret = DEMO_TOTP_SECRET  # a known second factor, so the demo can sign in
            added += 1
    return (f"Demo users: {added} added ({len(DEMO_USERS)} in all), password for all: {DEMO_PASSWORD}\n"
            f"  Admin and finance also need a one-time code: `insatstorget demo-code` prints it (or `oathtool --totp -b {DEMO_TOTP_SECRET}`) "
            f"or add the key {DEMO_TOTP_SECRET} to an authenticator app")


# Functions (session, *, today, now) -> str, run in order, each in its own transaction.
DEMO_STEPS: list = [seed_users]

# The catalogue comes right after the users: bookings need programmes.
from marketplace.programmes.demo import seed_programmes  # noqa: E402

DEMO_STEPS.append(seed_programmes)

# The demo supervisor keeps Rinkeby-Kista's park programme (it has running placements).
DEMO_SUPERVISIONS = (("arbetsledare.rk@demo.stockholm.se", "RK-PARK-01"),)


def seed_supervisions(session: Session, *, today: date, now: datetime) -> str:
    from catalog.models import Programme
    from marketplace.auth.models import ProgrammeSupervisor

    added = 0
    for email, code in DEMO_SUPERVISIONS:
        user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        programme = session.execute(select(Programme).where(Programme.code == code)).scalar_one_or_none()
        if user is None or programme is None or session.get(ProgrammeSupervisor, (programme.id, user.id)) is not None:
            continue
        session.add(ProgrammeSupervisor(programme_id=programme.id, user_id=user.id, assigned_at=now))
        added += 1
    return f"Demo supervisors: {added} assigned ({len(DEMO_SUPERVISIONS)} in all)"


DEMO_STEPS.append(seed_supervisions)

# Bookings in every status come after the programmes and before the follow-ups.
from marketplace.bookings.demo import seed_bookings  # noqa: E402

DEMO_STEPS.append(seed_bookings)


def seed_demo(engine, *, today: date, now: datetime) -> list[str]:
    report = []
    for step in DEMO_STEPS:
        with Session(engine, expire_on_commit=False) as session, transaction(session):
            report.append(step(session, today=today, now=now))
    for email, name, organisation, roles in DEMO_USERS:
        report.append(f"  {email:38} {'/'.join(roles):12} {organisation}")
    return report


# Follow-ups run last: they need the demo bookings the steps above create.
from marketplace.followups.demo import seed_followups  # noqa: E402

DEMO_STEPS.append(seed_followups)
