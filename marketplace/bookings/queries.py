"""Reads of bookings. Whatever returns participant data takes the actor and returns only
what policy lets that actor see (None means 404). No writes, no Flask."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from catalog.models import Organisation, Programme
from marketplace.auth import policy
from marketplace.auth.models import Role, User
from marketplace.auth.policy import Actor
from marketplace.bookings import capacity
from marketplace.bookings.models import Booking, BookingEvent, BookingStatus
from marketplace.notifications.models import Notification

MAX_ID = 2**31 - 1  # ids are 32-bit integers; a larger one from a URL is simply unknown


def get_visible_booking(session: Session, actor: Actor, booking_id: int) -> Booking | None:
    """The booking if policy lets actor see it (can_see_booking); else None (404)."""
    if not 0 < booking_id <= MAX_ID:
        return None
    row = session.execute(
        select(Booking, Programme.organisation_id).join(Programme, Programme.id == Booking.programme_id)
        .where(Booking.id == booking_id)
    ).first()
    if row is None:
        return None
    booking, provider_id = row
    return booking if policy.can_see_booking(actor, booking.buyer_organisation_id, provider_id, booking.programme_id) else None


def provider_id(session: Session, booking: Booking) -> int:
    return session.get(Programme, booking.programme_id).organisation_id


def get_collaborating_booking(session: Session, actor: Actor, booking_id: int) -> tuple[Booking, int] | None:
    """The booking and its provider when actor is one of the two sides working on it (the
    buyer's staff, the provider's coordinators: who may see its participant); else None (404).
    Messages, documents and meetings are shown under this rule."""
    booking = get_visible_booking(session, actor, booking_id)
    if booking is None:
        return None
    provider = provider_id(session, booking)
    if not policy.can_see_participant(actor, booking.buyer_organisation_id, provider):
        return None
    return booking, provider


def scope_condition(scope: policy.BookingScope):
    """SQL for policy's booking scope (the query joins Programme); None when it holds nothing."""
    conditions = []
    if scope.buyer is not None:
        conditions.append(Booking.buyer_organisation_id == scope.buyer)
    if scope.provider is not None:
        conditions.append(Programme.organisation_id == scope.provider)
    if scope.programmes:
        conditions.append(Booking.programme_id.in_(sorted(scope.programmes)))
    return or_(*conditions) if conditions else None


def _visibility(actor: Actor, side: str | None):
    """SQL: the bookings actor may see, optionally only as buyer or only as provider."""
    return scope_condition(policy.booking_scope(actor, side))


def list_bookings(session: Session, actor: Actor, *, side: str | None = None, status: str | None = None,
                  programme_id: int | None = None, offset: int = 0, limit: int = 20) -> tuple[list[Booking], int]:
    """Bookings actor may see, newest first, with the total for paging."""
    visible = _visibility(actor, side)
    if visible is None:
        return [], 0
    query = select(Booking).join(Programme, Programme.id == Booking.programme_id).where(visible)
    if status:
        query = query.where(Booking.status == status)
    if programme_id:
        query = query.where(Booking.programme_id == programme_id)
    return _page_of(session, query, (Booking.created_at.desc(), Booking.id.desc()), offset, limit)


def _page_of(session: Session, query, order, offset: int, limit: int) -> tuple[list[Booking], int]:
    """One page of the query's bookings and how many there are in all (no count when the first page holds them all)."""
    items = list(session.execute(query.order_by(*order).offset(offset).limit(limit)).scalars())
    if offset == 0 and len(items) < limit:
        return items, len(items)
    return items, session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def list_incoming(session: Session, actor: Actor, *, now: datetime, offset: int = 0,
                  limit: int = 20) -> tuple[list[Booking], int]:
    """Requests to actor's organisation whose hold still runs, oldest first (the coordinator's queue), and their number."""
    if not actor.has(Role.COORDINATOR):
        return [], 0
    query = (select(Booking).join(Programme, Programme.id == Booking.programme_id)
             .where(Programme.organisation_id == actor.organisation_id, Booking.status == BookingStatus.REQUESTED.value,
                    Booking.hold_expires_at > now))
    return _page_of(session, query, (Booking.created_at, Booking.id), offset, limit)


def list_pending_extensions(session: Session, actor: Actor, *, offset: int = 0,
                            limit: int = 20) -> tuple[list[Booking], int]:
    """Extensions waiting for actor's organisation, oldest first, and their number."""
    if not actor.has(Role.COORDINATOR):
        return [], 0
    query = (select(Booking).join(Programme, Programme.id == Booking.programme_id)
             .where(Programme.organisation_id == actor.organisation_id, Booking.extension_end_date.is_not(None),
                    Booking.status.in_([BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value])))
    return _page_of(session, query, (Booking.updated_at, Booking.id), offset, limit)


def list_recent_answers(session: Session, actor: Actor, *, now: datetime, days: int = 30, limit: int = 8) -> list[Booking]:
    """The requester's bookings answered in the last `days`: approved, rejected, expired, or
    offered a freed place from the waitlist (a request that was waitlisted)."""
    answered = or_(
        Booking.status.in_([BookingStatus.APPROVED.value, BookingStatus.REJECTED.value, BookingStatus.EXPIRED.value]),
        (Booking.status == BookingStatus.REQUESTED.value) & Booking.waitlisted_at.is_not(None),
    )
    return list(session.execute(
        select(Booking).where(Booking.requester_id == actor.user_id, Booking.updated_at >= now - timedelta(days=days), answered)
        .order_by(Booking.updated_at.desc()).limit(limit)
    ).scalars())


def list_notifications(session: Session, actor: Actor, *, now: datetime, days: int = 30, limit: int = 5) -> list[Notification]:
    """The actor's latest start-page notes (answers, freed places, new requests)."""
    return list(session.execute(
        select(Notification).where(Notification.user_id == actor.user_id, Notification.created_at >= now - timedelta(days=days))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).scalars())


def days_left_on_hold(booking: Booking, *, now: datetime) -> int | None:
    """Whole days (rounded up) until the hold expires; 0 once it has; None without a hold."""
    if booking.hold_expires_at is None:
        return None
    return max(math.ceil((booking.hold_expires_at - now).total_seconds() / 86_400), 0)


def waitlist_position(session: Session, booking: Booking) -> int | None:
    """1 for the first in line; None when the booking is not waitlisted."""
    if booking.status != BookingStatus.WAITLISTED.value:
        return None
    ahead = session.execute(
        select(func.count(Booking.id)).where(
            Booking.programme_id == booking.programme_id, Booking.status == BookingStatus.WAITLISTED.value,
            tuple_(Booking.waitlisted_at, Booking.id) < tuple_(booking.waitlisted_at, booking.id),
        )
    ).scalar_one()
    return ahead + 1


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str | None
    from_status: str | None
    to_status: str
    note: str


def events(session: Session, booking: Booking) -> list[EventView]:
    """The booking's timeline, oldest first, with the acting user's name (None for the scheduler)."""
    return events_by_booking(session, [booking.id]).get(booking.id, [])


def events_by_booking(session: Session, booking_ids: list[int]) -> dict[int, list[EventView]]:
    """The timelines of these bookings in one read: booking id -> events, oldest first."""
    timelines: dict[int, list[EventView]] = {}
    for event, name in session.execute(
        select(BookingEvent, User.name).outerjoin(User, User.id == BookingEvent.actor_id)
        .where(BookingEvent.booking_id.in_(booking_ids)).order_by(BookingEvent.at, BookingEvent.id)
    ):
        timelines.setdefault(event.booking_id, []).append(
            EventView(event.at, name, event.from_status, event.to_status, event.note))
    return timelines


@dataclass(frozen=True)
class DocumentContext:
    """What booking documents show beside the booking row, read for many bookings at once."""

    programmes: dict[int, tuple[Programme, Organisation, Organisation]]  # booking id -> (programme, provider, buyer)
    events: dict[int, list[EventView]]
    waitlist_positions: dict[int, int]


def document_context(session: Session, bookings: list[Booking]) -> DocumentContext:
    """Programme, provider and buyer of each booking in one read, all their events in another."""
    if not bookings:
        return DocumentContext({}, {}, {})
    provider, buyer = aliased(Organisation, name="provider"), aliased(Organisation, name="buyer")
    rows = session.execute(
        select(Booking.id, Programme, provider, buyer)
        .join(Programme, Programme.id == Booking.programme_id)
        .join(provider, provider.id == Programme.organisation_id)
        .join(buyer, buyer.id == Booking.buyer_organisation_id)
        .where(Booking.id.in_([b.id for b in bookings]))
    ).all()
    programmes = {row[0]: (row[1], row[2], row[3]) for row in rows}
    positions = {b.id: waitlist_position(session, b) for b in bookings if b.status == BookingStatus.WAITLISTED.value}
    return DocumentContext(programmes, events_by_booking(session, [b.id for b in bookings]), positions)


def created_context(session: Session, booking: Booking, programme: Programme, provider: Organisation,
                    buyer: Organisation, event: BookingEvent, actor: Actor) -> DocumentContext:
    """document_context for a booking the actor has just requested, from what the request holds.

    The request read the programme, its provider and the buyer with the programme's lock and
    added the booking's only event, so the response reads nothing more (it was a quarter of a
    request's CPU, benchmarks/RESULTS.md); a waitlisted booking still counts its place in line.
    """
    position = waitlist_position(session, booking)
    return DocumentContext(
        {booking.id: (programme, provider, buyer)},
        {booking.id: [EventView(event.at, actor.name, event.from_status, event.to_status, event.note)]},
        {booking.id: position} if position is not None else {},
    )


def organisations_by_id(session: Session, ids) -> dict[int, Organisation]:
    ids = list(set(ids))
    if not ids:
        return {}
    return {o.id: o for o in session.execute(select(Organisation).where(Organisation.id.in_(ids))).scalars()}


def programmes_by_id(session: Session, ids) -> dict[int, Programme]:
    ids = list(set(ids))
    if not ids:
        return {}
    return {p.id: p for p in session.execute(select(Programme).where(Programme.id.in_(ids))).scalars()}


def ids_due_to_expire(session: Session, *, now: datetime) -> list[int]:
    return list(session.execute(
        select(Booking.id).where(Booking.status == BookingStatus.REQUESTED.value, Booking.hold_expires_at <= now)
        .order_by(Booking.hold_expires_at, Booking.id)
    ).scalars())


def ids_due_to_start(session: Session, *, today: date) -> list[int]:
    return list(session.execute(
        select(Booking.id).where(Booking.status == BookingStatus.APPROVED.value, Booking.start_date <= today)
        .order_by(Booking.start_date, Booking.id)
    ).scalars())


def programmes_with_waitlist(session: Session, *, today: date) -> list[int]:
    return list(session.execute(
        select(Booking.programme_id).where(Booking.status == BookingStatus.WAITLISTED.value, Booking.start_date >= today)
        .distinct().order_by(Booking.programme_id)
    ).scalars())


@dataclass(frozen=True)
class OccupancyWeek:
    monday: date
    lanes: list[list[Booking]]  # per place: the bookings using it that week
    max_committed: int


def occupancy(session: Session, programme: Programme, *, first_monday: date, weeks: int, now: datetime) -> tuple[list[OccupancyWeek], int]:
    """Weeks × places for the coordinator's calendar: each committing booking keeps one place
    (lane) for its whole stay; returns the weeks and the number of lanes shown."""
    last_day = first_monday + timedelta(days=7 * weeks - 1)
    bookings = session.execute(
        select(Booking).where(Booking.programme_id == programme.id, capacity.committing(now=now),
                              Booking.start_date <= last_day, Booking.end_date >= first_monday)
        .order_by(Booking.start_date, Booking.id)
    ).scalars().all()
    lane_of: dict[int, int] = {}
    lane_free_from: list[date] = []
    for booking in bookings:  # interval partitioning: the first lane free by the start date
        for lane, free_from in enumerate(lane_free_from):
            if free_from <= booking.start_date:
                lane_of[booking.id] = lane
                lane_free_from[lane] = booking.end_date + timedelta(days=1)
                break
        else:
            lane_of[booking.id] = len(lane_free_from)
            lane_free_from.append(booking.end_date + timedelta(days=1))
    lanes = max(programme.capacity, len(lane_free_from))
    counts = capacity._sweep([(b.start_date, b.end_date) for b in bookings], first_monday, last_day)
    result = []
    for week in range(weeks):
        monday = first_monday + timedelta(days=7 * week)
        sunday = monday + timedelta(days=6)
        cells: list[list[Booking]] = [[] for _ in range(lanes)]
        for booking in bookings:
            if booking.start_date <= sunday and booking.end_date >= monday:
                cells[lane_of[booking.id]].append(booking)
        result.append(OccupancyWeek(monday, cells, max(counts[monday + timedelta(days=d)] for d in range(7))))
    return result, lanes
