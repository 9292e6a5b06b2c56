"""JSON API of bookings (API.md, Bookings). Thin adapters over flow/queries.

The availability endpoint lives with the programme documents (marketplace/programmes/api.py)
and reads the same rule, marketplace.bookings.capacity."""

from __future__ import annotations

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from sqlalchemy.exc import IntegrityError

from catalog.models import Organisation, Programme
from marketplace.kernel import clock, http
from marketplace.auth import policy
from marketplace.auth.policy import Actor
from marketplace.bookings import flow, forwarding, queries
from marketplace.bookings.models import Booking
from marketplace.bookings.schemas import (
    BookingDetailOut, BookingIn, BookingList, BookingOut, BookingPath, BookingQuery, EndIn, ExtensionIn, ForwardIn, ReasonIn,
    money_amount,
)
from marketplace.kernel.db import transaction
from marketplace.kernel.problems import Problem

api = APIBlueprint("bookings_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="bookings")])
SECURITY = [{"bearer": []}]
# absent for those who may not see the participant
PARTICIPANT_FIELDS = ("participant", "participant_target_group", "assignment", "decision")


def booking_documents(session, bookings: list[Booking], actor: Actor) -> list[dict]:
    """The Bookings of API.md; participant only for those policy allows.

    Programmes, organisations and events of all of them come in two reads, whatever the
    number of bookings (a list page is one document per row).
    """
    context = queries.document_context(session, bookings)
    return [_document(booking, actor, context) for booking in bookings]


def booking_document(session, booking: Booking, actor: Actor, context: queries.DocumentContext | None = None) -> dict:
    return _document(booking, actor, context or queries.document_context(session, [booking]))


def _document(booking: Booking, actor: Actor, context: queries.DocumentContext) -> dict:
    programme, provider, buyer = context.programmes[booking.id]
    document = {
        "id": booking.id, "ref": booking.ref, "status": booking.status,
        "programme": {"id": programme.id, "code": programme.code, "name": programme.name,
                      "organisation": {"code": provider.code, "name": provider.name}},
        "buyer": {"code": buyer.code, "name": buyer.name},
        "start_date": booking.start_date, "end_date": booking.end_date, "hold_expires_at": booking.hold_expires_at,
        "waitlist_position": context.waitlist_positions.get(booking.id),
        "assignment": {"purpose": booking.assignment_purpose, "goals": booking.assignment_goals,
                       "sub_goals": booking.assignment_sub_goals, "tasks": booking.assignment_tasks,
                       "participant_view": booking.assignment_participant_view},
        "fia_completed": booking.fia_completed,
        "decision": {"reference": booking.decision_reference, "date": booking.decision_date},
        "decision_missing": not booking.decision_reference,
        "outcome": booking.outcome,
        "price": {"amount": money_amount(booking.price_ore), "currency": "SEK", "unit": booking.price_unit},
        "extension": {"end_date": booking.extension_end_date} if booking.extension_end_date else None,
        "events": [{"at": e.at, "actor": e.actor, "from": e.from_status, "to": e.to_status, "note": e.note}
                   for e in context.events.get(booking.id, [])],
    }
    if policy.can_see_participant(actor, booking.buyer_organisation_id, provider.id, booking.programme_id):
        document["participant"] = {"reference": booking.participant_reference, "name": booking.participant_name,
                                   "contact": booking.participant_contact, "needs": booking.participant_needs}
        document["participant_target_group"] = booking.participant_target_group
    else:  # the assignment, the decision's case number and the free-text notes describe the participant too
        del document["assignment"], document["decision"]
        for event in document["events"]:
            event["note"] = ""
    body = BookingOut.model_validate(document).model_dump(mode="json", by_alias=True)
    for field in PARTICIPANT_FIELDS:
        if field not in document:
            body.pop(field, None)
    return body


def _visible(session, actor: Actor, booking_id: int) -> Booking:
    booking = queries.get_visible_booking(session, actor, booking_id)
    if booking is None:
        raise http.ApiError(404, "No such booking.")
    return booking


def _respond(session, booking: Booking, actor: Actor, status: int = 200, headers: dict | None = None):
    """Answer with the booking; reading its participant data is audited."""
    with transaction(session, write_lock=True):
        flow.record_participant_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(), via="api")
    return booking_document(session, booking, actor), status, headers or {}


@api.post("/bookings", responses={201: BookingDetailOut, 401: Problem, 403: Problem, 409: Problem, 422: Problem}, security=SECURITY)
def create_booking(body: BookingIn):
    """Request a place (staff; the buyer is the caller's organisation). Optional header Idempotency-Key."""
    actor = http.require_api_actor()
    if not policy.can_request_place(actor):
        raise http.ApiError(403, "Only staff can request places.")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key.strip()) <= 200 and "\x00" not in key):
        raise http.ApiError(422, "Idempotency-Key must be 1–200 characters.", kind="validation",
                            errors=[("Idempotency-Key", "1–200 characters")])
    place = flow.PlaceRequest(
        programme_id=body.programme_id, start_date=body.start_date, end_date=body.end_date,
        participant_reference=body.participant.reference, participant_name=body.participant.name,
        participant_contact=body.participant.contact, participant_needs=body.participant.needs,
        purpose=body.assignment.purpose, goals=body.assignment.goals, sub_goals=body.assignment.sub_goals,
        tasks=body.assignment.tasks, participant_view=body.assignment.participant_view, fia_completed=body.fia_completed,
        decision_reference=body.decision.reference if body.decision else None,
        decision_date=body.decision.date if body.decision else None, waitlist=body.waitlist,
        participant_age=body.participant_age, participant_target_group=body.participant_target_group,
    )
    session, settings = http.request_session(), http.settings()
    try:
        with transaction(session, write_lock=True):
            placed = flow.request_place(session, place, actor=actor, now=clock.now(), today=clock.today(),
                                        hold_days=settings.hold_days, idempotency_key=key and key.strip())
            warnings = forwarding.warnings_for(session, placed.booking)  # read with the request, not after it
    except IntegrityError:
        # A concurrent retry with the same key won the unique (user, key) row: answer with its
        # booking if it was this request (else 422 idempotency_key_reused).
        placed = flow.replay_key(session, place, actor.user_id, key.strip()) if key else None
        if placed is None:
            raise
        warnings = forwarding.warnings_for(session, placed.booking)
    return _created(session, placed, actor, warnings)


def _created(session, placed: flow.Placed, actor: Actor, warnings: list[str]):
    """201 with the new booking (or the replayed one) and its warnings."""
    booking = placed.booking
    if placed.created:
        context = queries.created_context(session, booking, placed.programme, placed.provider, placed.buyer,
                                          placed.event, actor)
        body, status, headers = booking_document(session, booking, actor, context), 201, {}
    else:
        body, status, headers = _respond(session, booking, actor, 201, {"Idempotent-Replayed": "true"})
    body["warnings"] = warnings
    return body, status, headers


def _with_links(session, booking: Booking, actor: Actor, body: dict) -> dict:
    """The participant's other bookings and the forward links, as far as the caller may see them."""
    others = forwarding.related_bookings(session, booking)
    source, targets = forwarding.forward_links(session, booking)
    shown = [*others, *([source] if source else []), *targets]
    programmes = queries.programmes_by_id(session, {b.programme_id for b in shown})

    def visible(other: Booking) -> bool:
        return policy.can_see_participant(actor, other.buyer_organisation_id, programmes[other.programme_id].organisation_id,
                                          other.programme_id)

    body["related"] = [{"id": b.id, "ref": b.ref, "programme_name": programmes[b.programme_id].name, "status": b.status,
                        "start_date": b.start_date.isoformat(), "end_date": b.end_date.isoformat()}
                       for b in others if visible(b)]
    body["forwarded_from"] = {"id": source.id, "ref": source.ref} if source is not None and visible(source) else None
    body["forwarded_to"] = [{"id": b.id, "ref": b.ref} for b in targets if visible(b)]
    return body


@api.get("/bookings", responses={200: BookingList, 401: Problem, 422: Problem}, security=SECURITY)
def list_bookings(query: BookingQuery):
    """The bookings the caller may see: as=buyer (own organisation's requests), as=provider (to own programmes)."""
    actor = http.require_api_actor()
    session = http.request_session()
    items, total = queries.list_bookings(session, actor, side=query.as_, status=query.status.value if query.status else None,
                                         offset=(query.page - 1) * query.per_page, limit=query.per_page)
    if items:
        with transaction(session, write_lock=True):
            for booking in items:
                flow.record_participant_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(), via="api-list")
    return {"items": booking_documents(session, items, actor), "total": total,
            "page": query.page, "per_page": query.per_page}


@api.get("/bookings/<int:id>", responses={200: BookingDetailOut, 401: Problem, 404: Problem}, security=SECURITY)
def get_booking(path: BookingPath):
    """One booking, with the participant's other bookings at the buyer (related) and forward links."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking = _visible(session, actor, path.id)
    body, status, headers = _respond(session, booking, actor)
    return _with_links(session, booking, actor, body), status, headers


def _act(booking_id: int, allowed, use_case, **kwargs):
    """Load what the actor may see (404), ask the policy (403), run the use case (409/422)."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking = _visible(session, actor, booking_id)
    provider = queries.provider_id(session, booking)
    if not allowed(actor, booking, provider):
        raise http.ApiError(403, "You may see this booking but not do this to it.")
    with transaction(session, write_lock=True):
        use_case(session, booking, actor=actor, now=clock.now(), **kwargs)
        flow.record_participant_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(), via="api")
    return booking_document(session, booking, actor), 200


def _provider(actor, booking, provider):
    return policy.can_decide_booking(actor, provider)


@api.post("/bookings/<int:id>/approve", responses={200: BookingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem},
          security=SECURITY)
def approve(path: BookingPath):
    """Approve a request (coordinator of the providing organisation)."""
    return _act(path.id, _provider, flow.approve_booking)


@api.post("/bookings/<int:id>/reject",
          responses={200: BookingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}, security=SECURITY)
def reject(path: BookingPath, body: ReasonIn):
    """Reject a request with a reason (coordinator of the providing organisation)."""
    return _act(path.id, _provider, flow.reject_booking, reason=body.reason, hold_days=http.settings().hold_days)


@api.post("/bookings/<int:id>/cancel",
          responses={200: BookingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}, security=SECURITY)
def cancel(path: BookingPath, body: ReasonIn):
    """Cancel before the start date (staff of the buyer)."""
    return _act(path.id, lambda a, b, p: policy.can_cancel_booking(a, b.buyer_organisation_id), flow.cancel_booking,
                reason=body.reason, today=clock.today(), hold_days=http.settings().hold_days)


@api.post("/bookings/<int:id>/end",
          responses={200: BookingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}, security=SECURITY)
def end(path: BookingPath, body: EndIn):
    """End an approved or active placement with its last day and an outcome (buyer's staff or provider's coordinator)."""
    return _act(path.id, lambda a, b, p: policy.can_end_booking(a, b.buyer_organisation_id, p), flow.end_booking,
                end_date=body.end_date, outcome=body.outcome.value, today=clock.today(), hold_days=http.settings().hold_days)


@api.post("/bookings/<int:id>/extension",
          responses={200: BookingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}, security=SECURITY)
def request_extension(path: BookingPath, body: ExtensionIn):
    """Ask for a later end date (staff of the buyer); needs a free place on every added day."""
    return _act(path.id, lambda a, b, p: policy.can_request_extension(a, b.buyer_organisation_id), flow.request_extension,
                new_end_date=body.end_date)


@api.post("/bookings/<int:id>/extension/approve",
          responses={200: BookingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem}, security=SECURITY)
def approve_extension(path: BookingPath):
    """Approve the waiting extension (coordinator of the provider)."""
    return _act(path.id, lambda a, b, p: policy.can_decide_extension(a, p), flow.approve_extension)


@api.post("/bookings/<int:id>/extension/reject",
          responses={200: BookingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}, security=SECURITY)
def reject_extension(path: BookingPath, body: ReasonIn):
    """Reject the waiting extension with a reason (coordinator of the provider)."""
    return _act(path.id, lambda a, b, p: policy.can_decide_extension(a, p), flow.reject_extension, reason=body.reason)


@api.post("/bookings/<int:id>/forward",
          responses={201: BookingDetailOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
          security=SECURITY)
def forward(path: BookingPath, body: ForwardIn):
    """Send a rejected, expired or cancelled request on to another programme or dates (staff of the buyer).

    The new request carries the participant and the assignment over and follows POST /bookings's
    rules, Idempotency-Key included; the two bookings link to each other."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking = _visible(session, actor, path.id)
    if not policy.can_forward_booking(actor, booking.buyer_organisation_id):
        raise http.ApiError(403, "Only the buyer's staff forward a request.")
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (1 <= len(key.strip()) <= 200 and "\x00" not in key):
        raise http.ApiError(422, "Idempotency-Key must be 1–200 characters.", kind="validation",
                            errors=[("Idempotency-Key", "1–200 characters")])
    key = key and key.strip()
    try:
        with transaction(session, write_lock=True):
            placed = forwarding.forward_booking(
                session, booking, programme_id=body.programme_id, start_date=body.start_date, end_date=body.end_date,
                actor=actor, now=clock.now(), today=clock.today(), hold_days=http.settings().hold_days,
                idempotency_key=key)
            warnings = forwarding.warnings_for(session, placed.booking)
    except IntegrityError:
        place = forwarding.forwarded_request(booking, programme_id=body.programme_id, start_date=body.start_date,
                                             end_date=body.end_date)
        placed = flow.replay_key(session, place, actor.user_id, key) if key else None
        if placed is None:
            raise
        warnings = forwarding.warnings_for(session, placed.booking)
    answer, status, headers = _created(session, placed, actor, warnings)
    return _with_links(session, placed.booking, actor, answer), status, headers
