"""Booking use cases: request, decide, cancel, start, end, extend, expire, offer freed places.

Each is a plain function (STYLE.md §4.1): it validates, changes rows, appends a
BookingEvent, sends booking_status_changed, writes audit and notifications, flushes, and
returns. It never commits, never reads the clock, never imports Flask. The caller runs it
inside `transaction(session, write_lock=True)`; the use case itself takes the programme
lock (db.lock_programme) and re-reads the booking under it, so two deciders, two
schedulers or a decider and a job can never both move one booking, and the capacity check
and the write that relies on it see the same rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import format_date
from sqlalchemy import Integer, String, bindparam, literal, select
from sqlalchemy.orm import Session, aliased

from catalog import rules
from catalog.models import Organisation, Programme, ProgrammeStatus, TargetGroup
from marketplace import audit
from marketplace.auth import policy
from marketplace.auth.models import Role, User
from marketplace.auth.policy import Actor
from marketplace.bookings import capacity, states
from marketplace.bookings.fingerprint import request_fingerprint
from marketplace.bookings.models import Booking, BookingEvent, BookingStatus, IdempotencyRecord, Outcome
from marketplace.bookings.signals import booking_extension_changed, booking_status_changed
from marketplace.bookings.states import Action
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import allocate_id, lock_programme, row_locks_needed
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.notifications.mail_templates import mail
from marketplace.notifications.notify import notify

# No placement is planned further ahead or longer than this, whatever max_weeks says.
MAX_DAYS = 5 * 366


def _day(day: date) -> str:
    """A date in a timeline note as the Swedish pages write dates ("16 maj 2026"): the note is
    stored Swedish text, so the date is written the same way, not as an ISO date."""
    return format_date(day, "medium", locale="sv")


@dataclass(frozen=True)
class PlaceRequest:
    """What a social worker sends to request a place (API.md, POST /bookings)."""

    programme_id: int
    start_date: date
    end_date: date
    participant_reference: str
    participant_name: str
    purpose: str
    goals: str
    tasks: str
    participant_contact: str | None = None
    participant_needs: str | None = None
    sub_goals: str = ""
    participant_view: str = ""
    fia_completed: bool = False
    decision_reference: str | None = None
    decision_date: date | None = None
    waitlist: bool = False
    participant_age: int | None = None
    participant_target_group: str | None = None  # a code: a reservation for it opens reserved places


@dataclass(frozen=True)
class Placed:
    """What request_place did. With created, also the programme it locked, its provider, the
    buyer and the request's event: the response is built from them instead of reading them back."""

    booking: Booking
    created: bool
    programme: Programme | None = None
    provider: Organisation | None = None
    buyer: Organisation | None = None
    event: BookingEvent | None = None


@dataclass(frozen=True)
class _Locked:
    programme: Programme | None
    provider: Organisation | None = None
    buyer: Organisation | None = None
    replayed_booking_id: int | None = None
    replayed_fingerprint: str | None = None


def booking_link(booking: Booking) -> str:
    return f"/placeringar/{booking.id}"


def _tell(session: Session, recipients: list[User], message: str, booking: Booking, *, now: datetime, mail_kind: str) -> None:
    """A start-page note with `message` (it may quote a reason: read after signing in) and the
    mail of `mail_kind`, which carries the booking ref and nothing typed (marketplace/mail_templates.py)."""
    for user in {user.id: user for user in recipients}.values():
        notify(session, user=user, message=message, now=now, link=booking_link(booking), mail=mail(mail_kind, booking.ref))


_ACTIVE_USERS_OF = (select(User).where(User.organisation_id == bindparam("organisation_id"), User.active.is_(True))
                    .order_by(User.id))


def coordinators_of(session: Session, organisation_id: int) -> list[User]:
    """The organisation's active coordinators: whom a booking's provider side is told through."""
    users = session.execute(_ACTIVE_USERS_OF, {"organisation_id": organisation_id}).scalars()
    return [user for user in users if user.has_role(Role.COORDINATOR)]


def requester_of(session: Session, booking: Booking) -> list[User]:
    """The booking's requester (none once the account is gone): the buyer side's contact."""
    user = session.get(User, booking.requester_id)
    return [user] if user is not None else []


def _programme(session: Session, booking: Booking) -> Programme:
    return session.get(Programme, booking.programme_id)


def _lock(session: Session, booking: Booking) -> None:
    """Take the programme lock and re-read the booking, so decisions see committed state."""
    lock_programme(session, booking.programme_id)
    session.refresh(booking)


def _transition(session: Session, booking: Booking, action: Action, *, actor: Actor | None, now: datetime,
                note: str = "", details: dict | None = None) -> None:
    from_status = booking.status
    to_status = states.next_status(from_status, action).value
    booking.status = to_status
    booking.updated_at = now
    booking.version += 1
    _event(session, booking, from_status, to_status, actor=actor, now=now, note=note)
    booking_status_changed.send(booking, session=session, from_status=from_status, to_status=to_status,
                                actor_id=actor.user_id if actor else None, now=now)
    audit.record(session, actor=actor, action=f"booking.{action.value}", object_type="booking", object_id=booking.id,
                 now=now, details={"ref": booking.ref, "from": from_status, "to": to_status, **(details or {})})


def _event(session: Session, booking: Booking, from_status: str | None, to_status: str, *, actor: Actor | None,
           now: datetime, note: str = "") -> BookingEvent:
    # Flushed with the rest of the use case's rows (one unit of work, not one per row).
    event = BookingEvent(booking_id=booking.id, at=now, actor_id=actor.user_id if actor else None,
                         from_status=from_status, to_status=to_status, note=note)
    session.add(event)
    return event


def _require_text(value: str | None, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise Invalid(message, field=field)
    return text


def _stockholm_date(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


def _booking_ref(booking_id: int, now: datetime) -> str:
    """The human ref (B-2026-000123): the id is unique under any concurrency, so the ref is too."""
    return f"B-{_stockholm_date(now).year}-{booking_id:06d}"


# --- request --------------------------------------------------------------------------------


def validate_request(request: PlaceRequest, programme: Programme | None, *, today: date) -> None:
    """Raise Invalid listing every field at fault (API.md: 422 cases)."""
    errors: list[tuple[str, str]] = []
    if programme is None or programme.status != ProgrammeStatus.PUBLISHED.value:
        errors.append(("programme_id", "The programme does not exist or is not published."))
    for field, value in (("participant.reference", request.participant_reference), ("participant.name", request.participant_name),
                         ("assignment.purpose", request.purpose), ("assignment.goals", request.goals),
                         ("assignment.tasks", request.tasks)):
        if not (value or "").strip():
            errors.append((field, "Required."))
    if request.start_date < today:
        errors.append(("start_date", "The start date has passed."))
    if request.end_date < request.start_date:
        errors.append(("end_date", "The end date is before the start date."))
    elif (request.end_date - request.start_date).days >= MAX_DAYS or (request.start_date - today).days > MAX_DAYS:
        errors.append(("end_date", "The placement is too long or too far ahead."))
    elif programme is not None and programme.max_weeks and (request.end_date - request.start_date).days + 1 > programme.max_weeks * 7:
        errors.append(("end_date", f"The programme allows at most {programme.max_weeks} weeks."))
    if programme is not None:
        errors += _upkeep_errors(request, programme)
    if request.decision_date is not None and request.decision_date > today:
        errors.append(("decision.date", "The decision date is in the future."))
    if request.decision_date is not None and not (request.decision_reference or "").strip():
        errors.append(("decision.reference", "Give the decision's reference with its date."))
    if errors:
        raise Invalid(errors[0][1], errors=errors, field=errors[0][0])


def _upkeep_errors(request: PlaceRequest, programme: Programme) -> list[tuple[str, str]]:
    """The programme's validity period and age range (catalog/rules.py) against the request."""
    errors: list[tuple[str, str]] = []
    if programme.valid_to is not None and request.end_date > programme.valid_to:
        errors.append(("end_date", f"The programme runs only until {programme.valid_to.isoformat()}."))
    if programme.valid_from is not None and request.start_date < programme.valid_from:
        errors.append(("start_date", f"The programme starts on {programme.valid_from.isoformat()}."))
    if request.participant_age is not None and not rules.age_fits(programme.min_age, programme.max_age,
                                                                  request.participant_age):
        errors.append(("participant.age", f"The programme is for participants aged {age_range(programme)}."))
    return errors


def age_range(programme: Programme) -> str:
    """The programme's age range in the API's words ("18–29", "18 or older", "29 or younger")."""
    if programme.min_age is not None and programme.max_age is not None:
        return f"{programme.min_age}–{programme.max_age}"
    if programme.min_age is not None:
        return f"{programme.min_age} or older"
    return f"{programme.max_age} or younger"


def _of_key(column, user_id, key):
    """SQL: `column` of this user's Idempotency-Key record (values or bind parameters)."""
    return select(column).where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)


def find_idempotent_booking(session: Session, user_id: int, key: str) -> Booking | None:
    """The booking a create with this Idempotency-Key already made, if any."""
    booking_id = session.execute(_of_key(IdempotencyRecord.booking_id, user_id, key)).scalar()
    return session.get(Booking, booking_id) if booking_id is not None else None


def replay(session: Session, request: PlaceRequest, booking_id: int, fingerprint: str | None) -> Placed:
    """The first answer to this Idempotency-Key, if `request` is the request that made it.

    The same key with another body raises Invalid code "idempotency_key_reused" (422): the
    new request is neither dropped silently nor answered with someone else's booking. Records
    made before the fingerprint existed (migration 0010) compare programme and start date.
    """
    booking = session.get(Booking, booking_id)
    if fingerprint is not None:
        same = fingerprint == request_fingerprint(request)
    else:
        same = (booking.programme_id, booking.start_date) == (request.programme_id, request.start_date)
    if not same:
        raise Invalid("This Idempotency-Key was used for a different request.", code="idempotency_key_reused",
                      errors=[("Idempotency-Key", "used for another booking request")])
    return Placed(booking, False)


def replay_key(session: Session, request: PlaceRequest, user_id: int, key: str) -> Placed | None:
    """replay() for a key whose record another transaction committed (the unique (user, key) race)."""
    row = session.execute(select(IdempotencyRecord.booking_id, IdempotencyRecord.fingerprint)
                          .where(IdempotencyRecord.user_id == user_id, IdempotencyRecord.key == key)).one_or_none()
    return replay(session, request, row[0], row[1]) if row is not None and row[0] is not None else None


def _request_read(with_key: bool, lock: bool):
    """The statement _lock_for_request runs, built once per shape (marketplace/statement_cache.py)."""
    provider, buyer = aliased(Organisation, name="provider"), aliased(Organisation, name="buyer")
    replayed, fingerprint = literal(None, Integer), literal(None, String)
    if with_key:
        replayed = _of_key(IdempotencyRecord.booking_id, bindparam("user_id"), bindparam("idempotency_key")).scalar_subquery()
        fingerprint = _of_key(IdempotencyRecord.fingerprint, bindparam("user_id"), bindparam("idempotency_key")).scalar_subquery()
    query = (
        select(Programme, provider, buyer, replayed.label("replayed_booking_id"), fingerprint.label("replayed_fingerprint"))
        .join(provider, provider.id == Programme.organisation_id)
        .join(buyer, buyer.id == bindparam("buyer_id"))
        .where(Programme.id == bindparam("programme_id"))
        .execution_options(populate_existing=True)
    )
    return query.with_for_update(of=Programme) if lock else query


# Built once per shape (with an Idempotency-Key or not, row lock or database-wide lock): building
# a statement and its cache key costs more Python than running it (marketplace/statement_cache.py).
_REQUEST_READS = {(with_key, lock): _request_read(with_key, lock) for with_key in (False, True) for lock in (False, True)}


def _lock_for_request(session: Session, programme_id: int, *, actor: Actor, idempotency_key: str | None) -> _Locked:
    """Lock the programme and read it, its provider, the buyer, and the booking this
    Idempotency-Key already made, in one round trip (a booking request's statements are
    most of its cost, benchmarks/RESULTS.md).

    The key is read in the statement's snapshot: a retry committed while this one waited for
    the lock is not seen here, and its unique (user, key) row makes this insert fail instead
    (the API then answers with that booking).
    """
    statement = _REQUEST_READS[bool(idempotency_key), row_locks_needed(session)]
    values = {"programme_id": programme_id, "buyer_id": actor.organisation_id}
    if idempotency_key:
        values.update(user_id=actor.user_id, idempotency_key=idempotency_key)
    row = session.execute(statement, values).one_or_none()
    return _Locked(*row) if row is not None else _Locked(None)


def request_place(session: Session, request: PlaceRequest, *, actor: Actor, now: datetime, today: date, hold_days: int,
                  idempotency_key: str | None = None) -> Placed:
    """Create a request that holds a place for hold_days, or a waitlisted booking when full.

    With an idempotency_key seen before for this user, returns the first booking and
    created=False, or raises Invalid code "idempotency_key_reused" when this request differs
    from the one that made it (marketplace/bookings/fingerprint.py). Raises Invalid (422) for bad input and Conflict
    code "no_capacity" (409) when some day is full and request.waitlist is false. Must run
    in transaction(write_lock=True): the capacity check and the insert share the lock.
    """
    # One statement reads the programme as committed and takes its lock; validation runs
    # on what the capacity check will see.
    locked = _lock_for_request(session, request.programme_id, actor=actor, idempotency_key=idempotency_key)
    programme = locked.programme
    validate_request(request, programme, today=today)
    if request.participant_target_group is not None and session.get(TargetGroup, request.participant_target_group) is None:
        raise Invalid("Okänd målgrupp.", field="participant_target_group",
                      errors=[("participant_target_group", "Okänd målgrupp.")])
    if locked.replayed_booking_id is not None:
        return replay(session, request, locked.replayed_booking_id, locked.replayed_fingerprint)
    # Capacity and, where the programme reserves places, the pool this request may use (reserved_days.py).
    full_day = capacity.first_unfree_day(session, programme, request.start_date, request.end_date, now=now,
                                         buyer_organisation_id=actor.organisation_id,
                                         target_group=request.participant_target_group)
    if full_day is None:
        status, hold = BookingStatus.REQUESTED.value, now + timedelta(days=hold_days)
    elif request.waitlist:
        status, hold = BookingStatus.WAITLISTED.value, None
    else:
        raise Conflict(f"No place is free on {full_day.isoformat()}; join the waitlist or choose other dates.",
                       code="no_capacity", day=full_day.isoformat())
    # Read what the notes need before writing, and take the id (after every refusal, so a 409
    # or 422 takes no number): the writes below then go out in one flush (two on SQLite).
    coordinators = coordinators_of(session, programme.organisation_id) if hold else []
    booking_id = allocate_id(session, Booking.__tablename__)
    booking = Booking(
        id=booking_id, ref=_booking_ref(booking_id, now) if booking_id is not None else f"tmp-{uuid.uuid4().hex[:16]}",
        programme_id=programme.id, buyer_organisation_id=actor.organisation_id,
        requester_id=actor.user_id, status=status, start_date=request.start_date, end_date=request.end_date,
        price_ore=programme.price_ore, price_unit=programme.price_unit,
        participant_reference=request.participant_reference.strip(), participant_name=request.participant_name.strip(),
        participant_contact=(request.participant_contact or "").strip() or None,
        participant_needs=(request.participant_needs or "").strip() or None, participant_age=request.participant_age,
        participant_target_group=request.participant_target_group,
        assignment_purpose=request.purpose.strip(), assignment_goals=request.goals.strip(),
        assignment_sub_goals=(request.sub_goals or "").strip(), assignment_tasks=request.tasks.strip(),
        assignment_participant_view=(request.participant_view or "").strip(), fia_completed=request.fia_completed,
        decision_reference=(request.decision_reference or "").strip() or None, decision_date=request.decision_date,
        hold_expires_at=hold, waitlisted_at=now if hold is None else None, created_at=now, updated_at=now,
    )
    session.add(booking)
    if booking_id is None:  # SQLite: the insert chooses the id, and the ref follows it
        session.flush()
        booking.ref = _booking_ref(booking.id, now)
    if idempotency_key:
        session.add(IdempotencyRecord(user_id=actor.user_id, key=idempotency_key, booking_id=booking.id, created_at=now,
                                      fingerprint=request_fingerprint(request)))
    event = _event(session, booking, None, status, actor=actor, now=now,
                   note="" if hold else f"Fullt {_day(full_day)}; på väntelistan.")
    booking_status_changed.send(booking, session=session, from_status=None, to_status=status, actor_id=actor.user_id, now=now)
    audit.record(session, actor=actor, action="booking.request", object_type="booking", object_id=booking.id, now=now,
                 details={"ref": booking.ref, "to": status, "programme_id": programme.id})
    if hold:
        _tell(session, coordinators,
              f"Ny förfrågan {booking.ref} till {programme.name} från {actor.organisation_name}, start {booking.start_date.isoformat()}.",
              booking, now=now, mail_kind="booking_requested")
    session.flush()
    return Placed(booking, True, programme, locked.provider, locked.buyer, event)


# --- decisions ------------------------------------------------------------------------------


def approve_booking(session: Session, booking: Booking, *, actor: Actor, now: datetime) -> Booking:
    """Approve a request. A hold that expired before the decision is approved only if a place is still free."""
    _lock(session, booking)
    states.next_status(booking.status, Action.APPROVE)
    if booking.hold_expires_at is not None and booking.hold_expires_at <= now:
        programme = _programme(session, booking)
        session.refresh(programme)
        full_day = capacity.first_unfree_day(session, programme, booking.start_date, booking.end_date, now=now,
                                             exclude_booking_id=booking.id, **capacity.claim_of(booking))
        if full_day is not None:
            raise Conflict(f"The hold expired and {full_day.isoformat()} is now full.", code="hold_expired", day=full_day.isoformat())
    _transition(session, booking, Action.APPROVE, actor=actor, now=now)
    booking.decided_at, booking.decided_by_id = now, actor.user_id
    programme = _programme(session, booking)
    _tell(session, requester_of(session, booking), f"Förfrågan {booking.ref} till {programme.name} är godkänd.", booking,
          now=now, mail_kind="booking_approved")
    session.flush()
    return booking


def reject_booking(session: Session, booking: Booking, *, actor: Actor, now: datetime, reason: str, hold_days: int) -> Booking:
    """Reject a request with a reason; its place goes to the waitlist."""
    reason = _require_text(reason, "reason", "Give a reason for the rejection.")
    _lock(session, booking)
    _transition(session, booking, Action.REJECT, actor=actor, now=now, note=reason)
    booking.decided_at, booking.decided_by_id, booking.decision_reason = now, actor.user_id, reason
    programme = _programme(session, booking)
    _tell(session, requester_of(session, booking), f"Förfrågan {booking.ref} till {programme.name} avslogs: {reason}", booking,
          now=now, mail_kind="booking_rejected")
    offer_freed_places(session, booking.programme_id, now=now, hold_days=hold_days)
    return booking


def cancel_booking(session: Session, booking: Booking, *, actor: Actor, now: datetime, today: date, reason: str,
                   hold_days: int) -> Booking:
    """Cancel a request, a waitlisted booking or an approved placement before its start date."""
    reason = _require_text(reason, "reason", "Give a reason for the cancellation.")
    _lock(session, booking)
    states.next_status(booking.status, Action.CANCEL)
    if booking.status == BookingStatus.APPROVED.value and booking.start_date <= today:
        raise Conflict("The placement has started; end it with an end date and an outcome instead.", code="already_started")
    was_holding = capacity.is_committing(booking, now=now)
    previous = booking.status
    _transition(session, booking, Action.CANCEL, actor=actor, now=now, note=reason)
    booking.decision_reason = reason
    if previous != BookingStatus.WAITLISTED.value:
        programme = _programme(session, booking)
        _tell(session, coordinators_of(session, programme.organisation_id),
              f"{booking.ref} till {programme.name} har avbokats av köparen.", booking, now=now, mail_kind="booking_cancelled")
    if was_holding:
        offer_freed_places(session, booking.programme_id, now=now, hold_days=hold_days)
    session.flush()
    return booking


# --- lifecycle ------------------------------------------------------------------------------


def start_booking(session: Session, booking: Booking, *, now: datetime, today: date) -> Booking:
    """Mark an approved placement active on (or after) its start date; run by the scheduler."""
    _lock(session, booking)
    states.next_status(booking.status, Action.START)
    if booking.start_date > today:
        raise Conflict("The placement starts later.", code="not_started_yet")
    _transition(session, booking, Action.START, actor=None, now=now)
    return booking


def end_booking(session: Session, booking: Booking, *, actor: Actor, now: datetime, today: date, end_date: date,
                outcome: str, hold_days: int, note: str = "") -> Booking:
    """End an approved or active placement on end_date (its last day) with an outcome.

    The placement must have started (start_date ≤ today; before that, cancel it).
    end_date must lie in [start_date, current end_date]; an earlier end frees the days
    after it, which go to the waitlist. A pending extension lapses.
    """
    if outcome not in Outcome._value2member_map_:
        raise Invalid("Choose one of the outcomes.", field="outcome")
    _lock(session, booking)
    states.next_status(booking.status, Action.END)
    if booking.start_date > today:
        raise Conflict("The placement has not started; cancel it instead.", code="not_started_yet")
    if end_date < booking.start_date:
        raise Invalid("The end date is before the start date.", field="end_date")
    if end_date > booking.end_date:
        raise Invalid("The end date is after the planned end; request an extension instead.", field="end_date")
    freed = end_date < booking.end_date
    text = f"Sista dag {end_date.isoformat()}." + (f" {note.strip()}" if note.strip() else "")
    booking.end_date, booking.outcome, booking.extension_end_date = end_date, outcome, None
    _transition(session, booking, Action.END, actor=actor, now=now, note=text, details={"outcome": outcome})
    programme = _programme(session, booking)
    if actor.organisation_id == booking.buyer_organisation_id:
        recipients = coordinators_of(session, programme.organisation_id)
    else:
        recipients = requester_of(session, booking)
    _tell(session, [r for r in recipients if r.id != actor.user_id],
          f"{booking.ref} i {programme.name} är avslutad {end_date.isoformat()}.", booking, now=now, mail_kind="booking_ended")
    if freed:
        offer_freed_places(session, booking.programme_id, now=now, hold_days=hold_days)
    session.flush()
    return booking


# --- extensions -----------------------------------------------------------------------------


def _check_extension_room(session: Session, booking: Booking, new_end: date, *, now: datetime) -> None:
    programme = _programme(session, booking)
    session.refresh(programme)
    if programme.max_weeks and (new_end - booking.start_date).days + 1 > programme.max_weeks * 7:
        raise Invalid(f"The programme allows at most {programme.max_weeks} weeks.", field="end_date")
    if programme.valid_to is not None and new_end > programme.valid_to:
        raise Invalid(f"The programme runs only until {programme.valid_to.isoformat()}.", field="end_date")
    full_day = capacity.first_unfree_day(session, programme, booking.end_date + timedelta(days=1), new_end, now=now,
                                         exclude_booking_id=booking.id, **capacity.claim_of(booking))
    if full_day is not None:
        raise Conflict(f"No place is free on {full_day.isoformat()}.", code="no_capacity", day=full_day.isoformat())


def request_extension(session: Session, booking: Booking, *, actor: Actor, now: datetime, new_end_date: date) -> Booking:
    """Ask the provider to move end_date later. Checked for room now and again on approval;
    the pending extension holds no place meanwhile."""
    _lock(session, booking)
    status = states.next_status(booking.status, Action.REQUEST_EXTENSION)
    if booking.extension_end_date is not None:
        raise Conflict("An extension is already waiting for the provider's decision.", code="extension_pending")
    if new_end_date <= booking.end_date:
        raise Invalid("The new end date must be after the current end date.", field="end_date")
    if (new_end_date - booking.start_date).days >= MAX_DAYS:
        raise Invalid("The placement would be too long.", field="end_date")
    _check_extension_room(session, booking, new_end_date, now=now)
    booking.extension_end_date, booking.updated_at = new_end_date, now
    booking.version += 1
    _event(session, booking, booking.status, status.value, actor=actor, now=now,
           note=f"Förlängning begärd till {_day(new_end_date)}.")
    audit.record(session, actor=actor, action="booking.request_extension", object_type="booking", object_id=booking.id,
                 now=now, details={"ref": booking.ref, "end_date": new_end_date.isoformat()})
    booking_extension_changed.send(booking, session=session, kind="requested", end_date=booking.end_date,
                                   extension_end_date=new_end_date, actor_id=actor.user_id, now=now)
    programme = _programme(session, booking)
    _tell(session, coordinators_of(session, programme.organisation_id),
          f"Förlängning av {booking.ref} i {programme.name} till {new_end_date.isoformat()} väntar på beslut.", booking,
          now=now, mail_kind="extension_requested")
    session.flush()
    return booking


def approve_extension(session: Session, booking: Booking, *, actor: Actor, now: datetime) -> Booking:
    """Move end_date to the requested date, if every added day still has a free place."""
    _lock(session, booking)
    status = states.next_status(booking.status, Action.APPROVE_EXTENSION)
    if booking.extension_end_date is None:
        raise Conflict("No extension is waiting for a decision.", code="no_extension_pending")
    new_end = booking.extension_end_date
    _check_extension_room(session, booking, new_end, now=now)
    old_end = booking.end_date
    booking.end_date, booking.extension_end_date, booking.updated_at = new_end, None, now
    booking.version += 1
    _event(session, booking, booking.status, status.value, actor=actor, now=now,
           note=f"Förlängning godkänd: slutdatum {_day(old_end)} → {_day(new_end)}.")
    booking_status_changed.send(booking, session=session, from_status=booking.status, to_status=booking.status,
                                actor_id=actor.user_id, now=now)
    audit.record(session, actor=actor, action="booking.approve_extension", object_type="booking", object_id=booking.id,
                 now=now, details={"ref": booking.ref, "from_end": old_end.isoformat(), "to_end": new_end.isoformat()})
    booking_extension_changed.send(booking, session=session, kind="approved", end_date=old_end,
                                   extension_end_date=new_end, actor_id=actor.user_id, now=now)
    programme = _programme(session, booking)
    _tell(session, requester_of(session, booking), f"Förlängningen av {booking.ref} i {programme.name} till {new_end.isoformat()} är godkänd.",
          booking, now=now, mail_kind="extension_approved")
    session.flush()
    return booking


def reject_extension(session: Session, booking: Booking, *, actor: Actor, now: datetime, reason: str) -> Booking:
    reason = _require_text(reason, "reason", "Give a reason for the rejection.")
    _lock(session, booking)
    status = states.next_status(booking.status, Action.REJECT_EXTENSION)
    if booking.extension_end_date is None:
        raise Conflict("No extension is waiting for a decision.", code="no_extension_pending")
    asked = booking.extension_end_date
    booking.extension_end_date, booking.updated_at = None, now
    booking.version += 1
    _event(session, booking, booking.status, status.value, actor=actor, now=now,
           note=f"Förlängning till {_day(asked)} avslogs: {reason}")
    audit.record(session, actor=actor, action="booking.reject_extension", object_type="booking", object_id=booking.id,
                 now=now, details={"ref": booking.ref, "end_date": asked.isoformat()})
    booking_extension_changed.send(booking, session=session, kind="rejected", end_date=booking.end_date,
                                   extension_end_date=asked, actor_id=actor.user_id, now=now)
    programme = _programme(session, booking)
    _tell(session, requester_of(session, booking), f"Förlängningen av {booking.ref} i {programme.name} avslogs: {reason}", booking,
          now=now, mail_kind="extension_rejected")
    session.flush()
    return booking


# --- holds and the waitlist -----------------------------------------------------------------


def expire_hold(session: Session, booking: Booking, *, now: datetime, hold_days: int) -> list[Booking] | None:
    """Mark a request whose hold has run out as expired and offer its place; return the
    bookings offered the place. Idempotent: returns None (and changes nothing) when the
    booking is no longer an expired hold."""
    _lock(session, booking)
    if booking.status != BookingStatus.REQUESTED.value or booking.hold_expires_at is None or booking.hold_expires_at > now:
        return None
    _transition(session, booking, Action.EXPIRE, actor=None, now=now, note="Inget beslut innan tiden gick ut.")
    programme = _programme(session, booking)
    _tell(session, requester_of(session, booking), f"Förfrågan {booking.ref} till {programme.name} gick ut utan beslut.", booking,
          now=now, mail_kind="hold_expired")
    return offer_freed_places(session, booking.programme_id, now=now, hold_days=hold_days)


def offer_freed_places(session: Session, programme_id: int, *, now: datetime, hold_days: int) -> list[Booking]:
    """Turn waitlisted bookings whose dates now fit into requests with a new hold, in waitlist order.

    Runs under the programme lock (the caller's). A booking whose start date has passed
    stays waitlisted: its dates can no longer be offered as asked.
    """
    lock_programme(session, programme_id)
    programme = session.get(Programme, programme_id)
    session.refresh(programme)
    if programme.status != ProgrammeStatus.PUBLISHED.value:
        return []
    today = _stockholm_date(now)
    waiting = session.execute(
        select(Booking).where(Booking.programme_id == programme_id, Booking.status == BookingStatus.WAITLISTED.value,
                              Booking.start_date >= today)
        .order_by(Booking.waitlisted_at, Booking.id)
    ).scalars().all()
    offered = []
    for booking in waiting:
        if capacity.first_unfree_day(session, programme, booking.start_date, booking.end_date, now=now,
                                     **capacity.claim_of(booking)):
            continue
        booking.hold_expires_at = now + timedelta(days=hold_days)
        _transition(session, booking, Action.OFFER, actor=None, now=now, note="En plats blev ledig.")
        session.flush()  # the new hold counts before the next booking in line is checked
        _tell(session, requester_of(session, booking),
              f"En plats blev ledig i {programme.name}: {booking.ref} håller nu platsen till "
              f"{booking.hold_expires_at.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}.", booking, now=now,
              mail_kind="place_offered")
        _tell(session, coordinators_of(session, programme.organisation_id),
              f"Ny förfrågan {booking.ref} till {programme.name} (från väntelistan).", booking, now=now,
              mail_kind="booking_requested")
        offered.append(booking)
    return offered


def record_participant_read(session: Session, booking: Booking, *, actor: Actor, now: datetime, ip: str | None = None,
                            via: str = "page") -> None:
    """Log that actor saw this booking's participant data (DESIGN.md, privacy; no names in details).

    Nothing is logged for one who saw the booking without its participant (a manager)."""
    buyer = booking.buyer_organisation_id
    if not (policy.is_buyer_staff(actor, buyer) or policy.can_see_participant(
            actor, buyer, session.get(Programme, booking.programme_id).organisation_id, booking.programme_id)):
        return
    audit.record(session, actor=actor, action="booking.read_participant", object_type="booking", object_id=booking.id,
                 now=now, ip=ip, details={"ref": booking.ref, "via": via})
