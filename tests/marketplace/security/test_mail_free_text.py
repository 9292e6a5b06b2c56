"""Mail leaves the city's systems: no mail of any kind carries typed text, only the booking ref.

Every mail kind is produced by its real use case, with a unique marker in every free-text
field a user can type (programme name, participant, assignment, reasons, notes); the marker
must never appear in any mail, while the start-page notes (read after signing in) may show it.
"""

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from marketplace.bookings import flow
from marketplace.collaboration import flow as collaboration_flow
from marketplace.meetings import service as meetings_service
from marketplace.meetings.schemas import MeetingIn
from marketplace.followups import jobs as followup_jobs
from marketplace.kernel.db import transaction
from marketplace.notifications.mail_templates import TEMPLATES, mail
from marketplace.notifications.models import Notification, OutboxMessage
from marketplace.scheduler import JobContext
from tests.marketplace.bookings._factories import _make_programme
from tests.marketplace.bookings._helpers import NOW, _actor, _request, _run

MARKER = "ZQX-fritext-7731"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _free_text(**overrides):
    return dict(participant_reference=f"ÄR {MARKER}", participant_name=f"Namn {MARKER}", purpose=f"Syfte {MARKER}",
                goals=f"Mål {MARKER}", tasks=f"Uppgifter {MARKER}", sub_goals=MARKER, participant_view=MARKER,
                participant_contact=MARKER, participant_needs=MARKER, decision_reference=f"SoL {MARKER}", **overrides)


def _programme(db, capacity):
    return _make_programme(db, capacity=capacity, name=f"Insats {MARKER}")


def _every_mail_kind(db, engine, settings, staff_user, other_staff_user, coordinator):
    staff, coord = _actor(db, staff_user), _actor(db, coordinator)
    # request, approve, extension requested / rejected / approved, ended by the buyer
    placed = _request(db, staff_user, _programme(db, 2), start=date(2026, 3, 16), weeks=2, **_free_text())
    _run(db, flow.approve_booking, placed, actor=coord, now=NOW)
    _run(db, flow.request_extension, placed, actor=staff, now=NOW, new_end_date=date(2026, 4, 5))
    _run(db, flow.reject_extension, placed, actor=coord, now=NOW, reason=f"Skäl {MARKER}")
    _run(db, flow.request_extension, placed, actor=staff, now=NOW, new_end_date=date(2026, 4, 5))
    _run(db, flow.approve_extension, placed, actor=coord, now=NOW)
    _run(db, flow.end_booking, placed, actor=staff, now=NOW, today=date(2026, 3, 20), end_date=date(2026, 3, 20),
         outcome="work", note=f"Anteckning {MARKER}", hold_days=10)
    # rejected with a reason; cancelled by the buyer with a reason
    rejected = _request(db, staff_user, _programme(db, 2), **_free_text())
    _run(db, flow.reject_booking, rejected, actor=coord, now=NOW, reason=f"Avslagsskäl {MARKER}", hold_days=10)
    cancelled = _request(db, staff_user, _programme(db, 2), **_free_text())
    _run(db, flow.cancel_booking, cancelled, actor=staff, now=NOW, today=NOW.date(), reason=f"Avbokning {MARKER}",
         hold_days=10)
    # a hold runs out and the place goes to the waitlist
    full = _programme(db, 1)
    holding = _request(db, staff_user, full, hold_days=1, **_free_text())
    _request(db, other_staff_user, full, waitlist=True, **_free_text())
    _run(db, flow.expire_hold, holding, now=NOW + timedelta(days=2), hold_days=10)
    # an overdue follow-up of a running placement
    running = _request(db, staff_user, _programme(db, 2), start=date(2026, 3, 16), weeks=26, **_free_text())
    _run(db, flow.approve_booking, running, actor=coord, now=NOW)
    followup_jobs.remind_overdue_followups(JobContext(engine=engine, settings=settings,
                                                      now=datetime(2026, 5, 1, 6, tzinfo=timezone.utc)))
    # a message, a document, a meeting planned and cancelled, and the summary of an ended placement
    provider = _programme_owner(db, placed)

    def use(case, *args, **kwargs):
        with transaction(db, write_lock=True):
            return case(db, placed, provider, *args, **kwargs)

    use(collaboration_flow.post_message, actor=staff, body=f"Meddelande {MARKER}", now=NOW)
    use(collaboration_flow.add_document, actor=coord, data=PDF, filename=f"{MARKER}.pdf", kind="work_plan", now=NOW,
        directory=settings.resolved_document_dir())
    meeting = use(meetings_service.plan_meeting, MeetingIn(
        kind="start", starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=1),
        location=f"Plats {MARKER}", note=f"Notering {MARKER}"), actor=coord, now=NOW)
    use(meetings_service.cancel_meeting, meeting, actor=coord, now=NOW)
    _run(db, meetings_service.write_summary, placed, values={"attendance": MARKER, "achieved": MARKER,
                                                             "recommendation": MARKER, "next_step": MARKER},
         actor=coord, now=NOW)


def _programme_owner(db, booking) -> int:
    from catalog.models import Programme

    return db.get(Programme, booking.programme_id).organisation_id


def test_no_mail_of_any_kind_carries_typed_text(db, engine, settings, staff_user, other_staff_user, coordinator):
    _every_mail_kind(db, engine, settings, staff_user, other_staff_user, coordinator)
    db.expire_all()
    mails = db.execute(select(OutboxMessage)).scalars().all()
    subjects = {m.subject.split(":")[0] for m in mails}
    assert subjects == {subject.split(":")[0] for subject, _ in TEMPLATES.values()}, "every mail kind was sent"
    for message in mails:
        assert MARKER not in message.subject and MARKER not in message.body, (message.subject, message.body)
        assert MARKER not in (message.attachment or "") and MARKER not in (message.attachment_filename or "")
    # The reason is there after signing in: the start-page note quotes it.
    notes = [n.message for n in db.execute(select(Notification)).scalars()]
    assert any(f"Avslagsskäl {MARKER}" in note for note in notes)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_a_mail_template_takes_a_booking_ref_and_nothing_else(kind):
    built = mail(kind, "B-2026-000123")
    assert "B-2026-000123" in built.subject and "B-2026-000123" in built.body
    for typed in (MARKER, f"B-2026-000123 {MARKER}", "B-2026-000123\nBcc: x@example.se", ""):
        with pytest.raises(ValueError):
            mail(kind, typed)
