"""Demo step: bookings in every status across several districts, made through the real use
cases at moments in the past (so timelines, holds and events look as they would in use).

Idempotent: every demo request carries an Idempotency-Key of its own, so a second run finds
the booking and changes nothing. Skips quietly when the demo programmes are missing.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Programme, ProgrammeStatus
from marketplace.auth.accounts import actor_for_user
from marketplace.auth.models import Role, User
from marketplace.bookings import flow
from marketplace.bookings.models import Booking
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError

_log = logging.getLogger(__name__)
HOLD_DAYS = 10

# key, requester, programme, days from today to the start (negative: started), weeks, what happens
SCENARIOS = (
    ("demo-b01", "handlaggare.st@demo.stockholm.se", "RK-PARK-01", -45, 16, "active"),
    ("demo-b02", "handlaggare.so@demo.stockholm.se", "HV-CYKEL-01", -20, 12, "active"),
    ("demo-b03", "handlaggare.rk@demo.stockholm.se", "ST-CAFE-01", -120, 12, "ended_early"),
    ("demo-b04", "handlaggare.st@demo.stockholm.se", "HV-SNICK-01", -150, 8, "ended"),
    ("demo-b05", "handlaggare.rk@demo.stockholm.se", "HV-CYKEL-01", 14, 8, "approved"),
    ("demo-b06", "handlaggare.so@demo.stockholm.se", "RK-MAL-01", 21, 8, "requested"),
    ("demo-b07", "handlaggare.rk@demo.stockholm.se", "ST-SPRAK-01", 10, 10, "requested_no_decision"),
    ("demo-b08", "handlaggare.st@demo.stockholm.se", "RK-HALSA-01", 12, 12, "rejected"),
    ("demo-b09", "handlaggare.so@demo.stockholm.se", "ST-CAFE-01", 30, 8, "cancelled"),
    ("demo-b10", "handlaggare.rk@demo.stockholm.se", "HV-SNICK-01", 25, 8, "expired"),
    ("demo-b11", "handlaggare.so@demo.stockholm.se", "RK-PARK-01", -30, 10, "extension"),
)
PARTICIPANTS = ("Ahmed Ali", "Maria Johansson", "Hodan Warsame", "Erik Lund", "Fatemeh Rahimi", "Jonas Berg",
                "Samira Haddad", "Anna Lindgren", "Yusuf Omar", "Lena Ek", "Daniel Mekonnen", "Sofia Nyberg")


def _user_actor(session: Session, email: str):
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    return actor_for_user(session, user) if user is not None else None


def _coordinator_actor(session: Session, organisation_id: int):
    for user in session.execute(select(User).where(User.organisation_id == organisation_id, User.active.is_(True))
                                .order_by(User.id)).scalars():
        if user.has_role(Role.COORDINATOR):
            return actor_for_user(session, user)
    return None


def _place(programme: Programme, start: date, weeks: int, index: int, asked_on: date, *, decision: bool = True,
           waitlist: bool = False):
    name = PARTICIPANTS[index % len(PARTICIPANTS)]
    return flow.PlaceRequest(
        programme_id=programme.id, start_date=start, end_date=start + timedelta(days=7 * weeks - 1),
        participant_reference=f"DEMO-{2026_0000 + index}", participant_name=name,
        participant_contact=f"{name.split()[0].lower()}@example.se", participant_needs="Behöver tider efter kl. 9.",
        purpose="Pröva arbetsförmågan och bygga vana vid arbetstider.", goals="Klara 20 timmar i veckan inom tre månader.",
        sub_goals="Komma i tid varje dag; ta egna initiativ i arbetsuppgifterna.", tasks=programme.description[:300],
        participant_view="Vill gärna arbeta praktiskt och lära sig svenska på jobbet.", fia_completed=index % 3 != 0,
        decision_reference=f"SoL-{2026}-{4100 + index}" if decision else None,
        decision_date=min(start - timedelta(days=14), asked_on - timedelta(days=3)) if decision else None, waitlist=waitlist,
    )


def _at(today: date, days: int, now: datetime) -> tuple[datetime, date]:
    """A moment `days` from now (9.00 Stockholm time that day) and its date."""
    moment = datetime.combine(today + timedelta(days=days), datetime.min.time(), tzinfo=STOCKHOLM).replace(hour=9)
    moment = min(moment, now)
    return moment, moment.astimezone(STOCKHOLM).date()


def _play(engine, key: str, requester_email: str, programme_code: str, offset: int, weeks: int, script: str, index: int,
          *, today: date, now: datetime) -> bool:
    """Run one scenario through the use cases; False when it existed already or cannot run."""
    with Session(engine, expire_on_commit=False) as session:
        requester = _user_actor(session, requester_email)
        programme = session.execute(select(Programme).where(Programme.code == programme_code)).scalar_one_or_none()
        if requester is None or programme is None or programme.status != ProgrammeStatus.PUBLISHED.value:
            return False
        if flow.find_idempotent_booking(session, requester.user_id, key) is not None:
            return False
        coordinator = _coordinator_actor(session, programme.organisation_id)
        if coordinator is None:
            return False
        start = today + timedelta(days=offset)
        asked_at, asked_on = _at(today, min(offset, 0) - (12 if script == "expired" else 7), now)
        if script == "expired":
            asked_at, asked_on = _at(today, -HOLD_DAYS - 3, now)
        steps = [("request", asked_at, asked_on)]
        decided_at, decided_on = _at(today, min(offset, 0) - 4, now)
        if script in ("active", "ended", "ended_early", "approved", "extension", "cancelled"):
            steps.append(("approve", decided_at, decided_on))
        if script in ("active", "ended", "ended_early", "extension"):
            steps.append(("start", *_at(today, offset, now)))
        if script == "rejected":
            steps.append(("reject", decided_at, decided_on))
        if script == "cancelled":
            steps.append(("cancel", now, today))
        if script == "expired":
            steps.append(("expire", now, today))
        if script == "ended_early":
            steps.append(("end_early", *_at(today, offset + 7 * weeks - 30, now)))
        if script == "ended":
            steps.append(("end", *_at(today, offset + 7 * weeks, now)))
        if script == "extension":
            steps.append(("extend", now, today))
        booking_id = None
        for step, moment, day in steps:
            with transaction(session, write_lock=True):
                booking = session.get(Booking, booking_id) if booking_id else None
                if step == "request":
                    booking = flow.request_place(
                        session, _place(programme, start, weeks, index, day, decision=script != "requested_no_decision"),
                        actor=requester, now=moment, today=day, hold_days=HOLD_DAYS, idempotency_key=key).booking
                    booking_id = booking.id
                elif step == "approve":
                    flow.approve_booking(session, booking, actor=coordinator, now=moment)
                elif step == "reject":
                    flow.reject_booking(session, booking, actor=coordinator, now=moment, reason="Ingen handledare ledig den perioden.",
                                        hold_days=HOLD_DAYS)
                elif step == "start":
                    flow.start_booking(session, booking, now=moment, today=day)
                elif step == "cancel":
                    flow.cancel_booking(session, booking, actor=requester, now=moment, today=day,
                                        reason="Deltagaren har fått ett arbete.", hold_days=HOLD_DAYS)
                elif step == "expire":
                    flow.expire_hold(session, booking, now=moment, hold_days=HOLD_DAYS)
                elif step in ("end", "end_early"):
                    flow.end_booking(session, booking, actor=requester, now=moment, today=day,
                                     end_date=min(day, booking.end_date), outcome="work" if step == "end_early" else "studies",
                                     hold_days=HOLD_DAYS)
                elif step == "extend":
                    flow.request_extension(session, booking, actor=requester, now=moment,
                                           new_end_date=booking.end_date + timedelta(weeks=4))
        return True


def _fill_and_wait(engine, *, today: date, now: datetime) -> int:
    """Fill the smallest demo programme for a month and put one more request on its waitlist."""
    with Session(engine) as session:
        programme = session.execute(
            select(Programme).where(Programme.status == ProgrammeStatus.PUBLISHED.value, Programme.capacity > 0)
            .order_by(Programme.capacity, Programme.code).limit(1)
        ).scalar_one_or_none()
        if programme is None or programme.capacity > 12:
            return 0
        code, places = programme.code, programme.capacity
    emails = ("handlaggare.rk@demo.stockholm.se", "handlaggare.st@demo.stockholm.se", "handlaggare.so@demo.stockholm.se")
    made = 0
    for n in range(places):
        try:
            made += _play(engine, f"demo-full-{n:02d}", emails[n % 3], code, 35, 6, "approved" if n % 2 else "requested",
                          20 + n, today=today, now=now)
        except DomainError:
            break  # full: the rest of the month is taken by other demo bookings
    with Session(engine, expire_on_commit=False) as session:
        requester = _user_actor(session, emails[0])
        programme = session.execute(select(Programme).where(Programme.code == code)).scalar_one()
        if requester is not None and flow.find_idempotent_booking(session, requester.user_id, "demo-waitlist") is None:
            with transaction(session, write_lock=True):
                flow.request_place(session, _place(programme, today + timedelta(days=35), 6, 40, today, waitlist=True), actor=requester,
                                   now=now, today=today, hold_days=HOLD_DAYS, idempotency_key="demo-waitlist")
            made += 1
    return made


def seed_bookings(session: Session, *, today: date, now: datetime) -> str:
    """DEMO_STEPS entry. Works in its own sessions: each use case needs its own write-locked transaction."""
    engine = session.get_bind()
    if session.execute(select(Programme.id).limit(1)).first() is None:
        return "Demo bookings: no programmes yet, nothing to do"
    session.rollback()  # hold no read snapshot while the use cases below write
    made = 0
    for index, (key, email, code, offset, weeks, script) in enumerate(SCENARIOS):
        try:
            made += _play(engine, key, email, code, offset, weeks, script, index, today=today, now=now)
        except DomainError as error:  # a demo database edited by hand: skip what no longer fits
            _log.warning("demo booking %s skipped: %s", key, error.message)
    made += _fill_and_wait(engine, today=today, now=now)
    return f"Demo bookings: {made} added (requested, waitlisted, approved, active, ended, rejected, cancelled, expired)"
