"""JSON API of follow-ups and weekly attendance per booking (docs/api.md, Follow-ups and attendance).

The page rules, through the same policy questions and flow functions as the pages: the
buyer's staff and the provider's coordinators see a booking's follow-ups and attendance
(everyone else 404) and record follow-ups; only the provider's coordinators record
attendance (the buyer's staff 403). Every read is audited like the pages'."""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag

from marketplace.auth import policy
from marketplace.bookings.public import record_participant_read
from marketplace.followups import flow, queries
from marketplace.followups.models import AttendanceWeek, FollowUp
from marketplace.followups.schemas import (
    AttendanceIn, AttendanceList, AttendanceOut, BookingPath, FollowUpIn, FollowUpList, FollowUpOut, PageQuery, WeekPath,
)
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Conflict, Invalid
from marketplace.kernel.problems import Problem

api = APIBlueprint("followups_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="follow-ups and attendance")])
SECURITY = [{"bearer": []}]
# flow's field names -> the API's
ATTENDANCE_FIELDS = {"present_days": "days_present", "absent_notified_days": "days_planned",
                     "absent_unnotified_days": "days_absent_unnotified", "week_start": "iso_week", "note": "note"}
RESULT_FIELDS = [name for name in FollowUpOut.model_fields if name not in {"id", "sequence", "due_date", "status", "done_at"}]


def _booking(booking_id: int):
    """(actor, session, booking, provider id) of a booking the caller may see; else 404."""
    actor = http.require_api_actor()
    session = http.request_session()
    found = queries.get_booking_with_programme(session, booking_id)
    if found is None or not policy.can_see_participant(actor, found[0].buyer_organisation_id, found[1].organisation_id,
                                                       found[1].id):
        raise http.ApiError(404, "No such booking.")
    return actor, session, found[0], found[1].organisation_id


def _audit_read(session, actor, booking, via: str) -> None:
    with transaction(session, write_lock=True):
        record_participant_read(session, booking, actor=actor, now=clock.now(), ip=http.client_ip(), via=via)


def followup_document(followup: FollowUp) -> dict:
    if followup.is_done:
        status = "done"
    else:
        status = "overdue" if followup.due_date < clock.today() else "open"
    return FollowUpOut(id=followup.id, sequence=followup.sequence, due_date=followup.due_date, status=status,
                       done_at=followup.done_at, **{name: getattr(followup, name) for name in RESULT_FIELDS}
                       ).model_dump(mode="json")


def attendance_document(week: AttendanceWeek) -> dict:
    return AttendanceOut(iso_week=flow.iso_week_of(week.week_start), week_start=week.week_start,
                         days_present=week.present_days, days_planned=week.planned_days,
                         days_absent_notified=week.absent_notified_days,
                         days_absent_unnotified=week.absent_unnotified_days, note=week.note or "",
                         updated_at=week.updated_at).model_dump(mode="json")


@api.get("/bookings/<int:id>/followups", responses={200: FollowUpList, 401: Problem, 404: Problem, 422: Problem},
         security=SECURITY)
def list_followups(path: BookingPath, query: PageQuery):
    """The booking's follow-ups in sequence order, recorded and scheduled (buyer's staff and provider's coordinators)."""
    actor, session, booking, _provider = _booking(path.id)
    rows, total = queries.followups_page(session, booking.id, offset=(query.page - 1) * query.per_page,
                                         limit=query.per_page)
    _audit_read(session, actor, booking, "api-followups")
    return {"items": [followup_document(row) for row in rows], "total": total, "page": query.page,
            "per_page": query.per_page}


@api.post("/bookings/<int:id>/followups",
          responses={200: FollowUpOut, 201: FollowUpOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem,
                     422: Problem}, security=SECURITY)
def record_followup(path: BookingPath, body: FollowUpIn):
    """Record the first open follow-up (201), or the one `sequence` names; a recorded one is corrected (200).

    The placement must be approved, active or ended (else 409); with no follow-up open, 409."""
    actor, session, booking, provider = _booking(path.id)
    if not policy.can_record_followup(actor, booking.buyer_organisation_id, provider, booking.programme_id):
        raise http.ApiError(403, "You may see this booking but not record its follow-ups.")
    data = flow.FollowUpInput(**body.model_dump(exclude={"sequence"}))
    with transaction(session, write_lock=True):
        followup = queries.followup_to_record(session, booking.id, body.sequence)
        if followup is None and body.sequence is not None:
            raise Invalid("Placeringen har ingen uppföljning med det numret.", field="sequence")
        if followup is None:
            raise Conflict("Alla uppföljningar är registrerade; ange sequence för att rätta en.",
                           code="no_open_followup")
        correction = followup.is_done
        flow.record_followup(session, followup, booking, data, actor=actor, now=clock.now())
    return followup_document(followup), 200 if correction else 201


@api.get("/bookings/<int:id>/attendance", responses={200: AttendanceList, 401: Problem, 404: Problem, 422: Problem},
         security=SECURITY)
def list_attendance(path: BookingPath, query: PageQuery):
    """The booking's recorded weeks, oldest first, with the sum of all of them (for the assistance decision)."""
    actor, session, booking, _provider = _booking(path.id)
    rows, total = queries.attendance_page(session, booking.id, offset=(query.page - 1) * query.per_page,
                                          limit=query.per_page)
    summary = queries.attendance_summary(session, booking.id)
    _audit_read(session, actor, booking, "api-attendance")
    return {"items": [attendance_document(row) for row in rows], "total": total, "page": query.page,
            "per_page": query.per_page,
            "summary": {"days_present": summary.present, "days_planned": summary.planned, "share": summary.share}}


@api.put("/bookings/<int:id>/attendance/<iso_week>",
         responses={200: AttendanceOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
         security=SECURITY)
def put_attendance(path: WeekPath, body: AttendanceIn):
    """Set one ISO week's attendance (the provider's coordinators). days_present ≤ days_planned ≤ the week's days
    inside the placement; the week must overlap the placement and not lie ahead (else 422)."""
    actor, session, booking, provider = _booking(path.id)
    if not policy.can_record_attendance(actor, provider, booking.programme_id):
        raise http.ApiError(403, "Attendance is recorded by the provider's coordinators.")
    monday = flow.monday_of_iso_week(path.iso_week)
    absent = body.days_planned - body.days_present
    if absent < 0:
        raise Invalid("Närvarande dagar är fler än planerade dagar.", field="days_present")
    if body.days_absent_unnotified > absent:
        raise Invalid("Frånvaron utan anmälan är fler dagar än frånvaron.",
                      field="days_absent_unnotified")
    try:
        with transaction(session, write_lock=True):
            week = flow.record_attendance(
                session, booking, week_start=monday, present_days=body.days_present,
                absent_notified_days=absent - body.days_absent_unnotified,
                absent_unnotified_days=body.days_absent_unnotified, note=body.note, actor=actor,
                today=clock.today(), now=clock.now())
    except Invalid as error:
        raise Invalid(error.message, errors=[(ATTENDANCE_FIELDS.get(field, field), message)
                                             for field, message in error.errors]) from None
    return attendance_document(week), 200
