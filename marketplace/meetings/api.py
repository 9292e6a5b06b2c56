"""JSON API of meetings and summaries (API.md, Meetings). Thin adapters over service."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag

from marketplace.auth import policy
from marketplace.bookings.public import get_collaborating_booking
from marketplace.kernel import clock, http
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.db import transaction
from marketplace.kernel.problems import Problem
from marketplace.meetings import ics, service
from marketplace.meetings.schemas import (
    BookingPath, MeetingIn, MeetingList, MeetingOut, MeetingPath, PageQuery, SummaryIn, SummaryOut,
)

api = APIBlueprint("meetings_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="meetings")])
SECURITY = [{"bearer": []}]


def _visible(session, actor, booking_id: int):
    """The booking and its provider if the actor may see its participant (else 404)."""
    found = get_collaborating_booking(session, actor, booking_id)
    if found is None:
        raise http.ApiError(404, "No such booking.")
    return found


def meeting_document(meeting, booking) -> dict:
    return MeetingOut(
        id=meeting.id, kind=meeting.kind, starts_at=meeting.starts_at, ends_at=meeting.ends_at, location=meeting.location,
        note=meeting.note, uid=meeting.uid, sequence=meeting.sequence, cancelled_at=meeting.cancelled_at,
        ics_url=f"/api/v1/bookings/{booking.id}/meetings/{meeting.id}.ics", created_at=meeting.created_at,
    ).model_dump(mode="json")


def summary_document(summary, booking) -> dict:
    return SummaryOut(
        booking_id=booking.id, attendance=summary.attendance, achieved=summary.achieved,
        recommendation=summary.recommendation, next_step=summary.next_step, written_at=summary.written_at,
        updated_at=summary.updated_at, erased=summary.erased_at is not None,
        print_url=f"/placeringar/{booking.id}/avslutsrapport",
    ).model_dump(mode="json")


def _audited(session, booking, actor, what: str) -> None:
    with transaction(session, write_lock=True):
        service.record_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(), what=what)


@api.get("/bookings/<int:id>/meetings", responses={200: MeetingList, 401: Problem, 404: Problem, 422: Problem},
         security=SECURITY)
def list_meetings(path: BookingPath, query: PageQuery):
    """The booking's meetings, earliest first (those who may see its participant)."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking, _ = _visible(session, actor, path.id)
    meetings = service.meetings_of(session, booking.id)
    _audited(session, booking, actor, "meeting")
    start = (query.page - 1) * query.per_page
    return {"items": [meeting_document(m, booking) for m in meetings[start:start + query.per_page]],
            "total": len(meetings), "page": query.page, "per_page": query.per_page}


@api.post("/bookings/<int:id>/meetings",
          responses={201: MeetingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
          security=SECURITY)
def plan_meeting(path: BookingPath, body: MeetingIn):
    """Plan a start, follow-up or end meeting; both sides get the invitation (.ics) by mail."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, path.id)
    if not policy.can_plan_meeting(actor, booking.buyer_organisation_id, provider):
        raise http.ApiError(403, "You may see this booking but not plan its meetings.")
    starts, ends = (value if value.tzinfo else value.replace(tzinfo=STOCKHOLM) for value in (body.starts_at, body.ends_at))
    with transaction(session, write_lock=True):
        meeting = service.plan_meeting(session, booking, provider, service.MeetingIn(
            kind=body.kind.value, starts_at=starts, ends_at=ends, location=body.location, note=body.note),
            actor=actor, now=clock.now())
    return meeting_document(meeting, booking), 201


def _meeting(session, actor, path: MeetingPath):
    booking, provider = _visible(session, actor, path.id)
    meeting = service.meeting_of(session, booking.id, path.mid)
    if meeting is None:
        raise http.ApiError(404, "No such meeting.")
    return booking, provider, meeting


@api.get("/bookings/<int:id>/meetings/<int:mid>.ics", responses={401: Problem, 404: Problem}, security=SECURITY)
def meeting_ics(path: MeetingPath):
    """The meeting as text/calendar (RFC 5545); a cancelled one is METHOD:CANCEL with a higher SEQUENCE."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking, _, meeting = _meeting(session, actor, path)
    _audited(session, booking, actor, "meeting")
    programme = service.programme_of(session, booking)
    text = ics.calendar_text(meeting, ref=booking.ref, programme_name=programme.name, now=clock.now())
    return Response(text, content_type=ics.content_type(meeting),
                    headers={"Content-Disposition": f'attachment; filename="{ics.filename(meeting, booking.ref)}"'})


@api.post("/bookings/<int:id>/meetings/<int:mid>/cancel",
          responses={200: MeetingOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem}, security=SECURITY)
def cancel_meeting(path: MeetingPath):
    """Cancel a meeting; both sides get the cancellation (.ics, METHOD:CANCEL) by mail."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking, provider, meeting = _meeting(session, actor, path)
    if not policy.can_plan_meeting(actor, booking.buyer_organisation_id, provider):
        raise http.ApiError(403, "You may see this booking but not cancel its meetings.")
    with transaction(session, write_lock=True):
        service.cancel_meeting(session, booking, provider, meeting, actor=actor, now=clock.now())
    return meeting_document(meeting, booking), 200


@api.get("/bookings/<int:id>/summary", responses={200: SummaryOut, 401: Problem, 404: Problem}, security=SECURITY)
def get_summary(path: BookingPath):
    """The summary (avslutsrapport) of an ended placement; 404 until it is written."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking, _ = _visible(session, actor, path.id)
    summary = service.summary_of(session, booking.id)
    if summary is None:
        raise http.ApiError(404, "No summary has been written.")
    _audited(session, booking, actor, "summary")
    return summary_document(summary, booking), 200


@api.put("/bookings/<int:id>/summary",
         responses={200: SummaryOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
         security=SECURITY)
def put_summary(path: BookingPath, body: SummaryIn):
    """Write or rewrite the summary after the placement has ended (the provider's coordinators); the buyer is told."""
    actor = http.require_api_actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, path.id)
    if not policy.can_write_summary(actor, provider):
        raise http.ApiError(403, "Only the provider's coordinators write the summary.")
    with transaction(session, write_lock=True):
        summary = service.write_summary(session, booking, body.model_dump(), actor=actor, now=clock.now())
    return summary_document(summary, booking), 200
