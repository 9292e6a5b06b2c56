"""Retention (gallring), erasure on request (GDPR art. 17) and the monthly log review (loggkontroll)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from marketplace import audit, privacy
from marketplace.bookings.models import Booking
from marketplace.privacy.retention_job import erase_expired_personal_data
from marketplace.scheduler import JobContext, jobs
from marketplace.privacy.models import ErasureRecord, LogReview
from tests.factories import make_programme
from tests.marketplace.security._helpers import SECRET_NAME, audit_rows, make_booking

NOW = datetime(2026, 5, 4, 1, 30, tzinfo=timezone.utc)


def _run_job(engine, settings, now=NOW) -> int:
    return erase_expired_personal_data(JobContext(engine=engine, settings=settings, now=now))


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 5, 4), 12, date(2025, 5, 4)),
    (date(2026, 3, 31), 1, date(2026, 2, 28)),
    (date(2024, 3, 31), 1, date(2024, 2, 29)),
    (date(2026, 1, 15), 13, date(2024, 12, 15)),
])
def test_months_before_counts_calendar_months(day, months, expected):
    assert privacy.months_before(day, months) == expected


def test_the_job_is_registered_with_the_scheduler():
    assert "marketplace.erase_expired_personal_data" in {spec.id for spec in jobs()}


def test_the_job_erases_name_contact_and_needs_after_the_retention_time_and_keeps_the_rest(engine, db, settings, staff_user):
    programme = make_programme(db)
    old = make_booking(db, programme, requester_id=staff_user.id, status="ended", end=date(2025, 5, 3))
    recent = make_booking(db, programme, requester_id=staff_user.id, status="ended", end=date(2025, 5, 4))
    active = make_booking(db, programme, requester_id=staff_user.id, status="active", start=date(2024, 11, 4), end=date(2025, 1, 1))
    rejected = make_booking(db, programme, requester_id=staff_user.id, status="rejected",
                            updated_at=datetime(2025, 5, 2, 12, tzinfo=timezone.utc))
    assert _run_job(engine, settings) == 2
    db.expire_all()
    erased = db.get(Booking, old.id)
    assert (erased.participant_name, erased.participant_contact, erased.participant_needs) == (None, None, None)
    assert erased.personal_data_erased_at == NOW
    assert (erased.participant_reference, erased.start_date, erased.end_date, erased.outcome, erased.price_ore) == (
        old.participant_reference, old.start_date, old.end_date, "work", old.price_ore)
    assert db.get(Booking, rejected.id).participant_name is None
    assert db.get(Booking, recent.id).participant_name == SECRET_NAME
    assert db.get(Booking, active.id).participant_name == SECRET_NAME
    rows = audit_rows(db, privacy.ERASE_ACTION)
    assert {row.object_id for row in rows} == {str(old.id), str(rejected.id)}
    assert all(row.details["decision"] == settings.retention_decision and row.actor_id is None for row in rows)
    assert _run_job(engine, settings) == 0  # idempotent


def test_the_retention_time_is_configurable(engine, db, settings, staff_user):
    programme = make_programme(db)
    booking = make_booking(db, programme, requester_id=staff_user.id, status="ended", end=date(2026, 2, 1))
    assert _run_job(engine, settings) == 0
    assert _run_job(engine, settings.model_copy(update={"retention_months": 3})) == 1
    db.expire_all()
    assert db.get(Booking, booking.id).participant_name is None


def test_the_job_works_through_more_than_one_batch(engine, db, settings, staff_user):
    programme = make_programme(db)
    for _ in range(120):
        make_booking(db, programme, requester_id=staff_user.id, commit=False)
    db.commit()
    assert _run_job(engine, settings) == 120
    assert db.execute(select(Booking.id).where(Booking.participant_name.is_not(None))).first() is None


def _erase_form(client, ref, reason="Begäran från den registrerade, dnr 2026/17"):
    return client.post("/admin/gallring", data={"ref": ref, "reason": reason})


def test_admin_erases_one_participant_on_request_with_a_recorded_reason(client, login, admin_user, db, staff_user):
    programme = make_programme(db)
    first = make_booking(db, programme, requester_id=staff_user.id, status="active", reference="ÄR-77")
    second = make_booking(db, programme, requester_id=staff_user.id, status="requested", reference="ÄR-77")
    other_buyer = make_booking(db, programme, requester_id=staff_user.id, buyer="ST", reference="ÄR-77")
    unrelated = make_booking(db, programme, requester_id=staff_user.id, reference="ÄR-78")
    login(admin_user)
    page = client.get(f"/admin/gallring?ref={first.ref}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and second.ref in html and other_buyer.ref not in html
    assert SECRET_NAME not in html  # admin never sees participant data, even here
    assert _erase_form(client, first.ref).status_code == 303
    db.expire_all()
    assert db.get(Booking, first.id).participant_name is None and db.get(Booking, second.id).participant_name is None
    assert db.get(Booking, other_buyer.id).participant_name == SECRET_NAME
    assert db.get(Booking, unrelated.id).participant_name == SECRET_NAME
    records = db.execute(select(ErasureRecord).order_by(ErasureRecord.id)).scalars().all()
    assert [(r.booking_ref, r.basis, r.erased_by_id) for r in records] == [(first.ref, "request", admin_user.id), (second.ref, "request", admin_user.id)]
    assert records[0].reason == "Begäran från den registrerade, dnr 2026/17"
    rows = audit_rows(db, privacy.ERASE_ACTION)
    assert [row.details["legal_basis"] for row in rows] == ["GDPR art. 17", "GDPR art. 17"]
    again = client.get(f"/admin/gallring?ref={first.ref}").get_data(as_text=True)
    assert "redan gallrade" in again


def test_erasure_without_a_reason_changes_nothing(client, login, admin_user, db, staff_user):
    booking = make_booking(db, make_programme(db), requester_id=staff_user.id)
    login(admin_user)
    response = _erase_form(client, booking.ref, reason="")
    assert response.status_code == 303
    db.expire_all()
    assert db.get(Booking, booking.id).participant_name == SECRET_NAME
    assert audit_rows(db, privacy.ERASE_ACTION) == []


def test_an_unknown_booking_number_is_a_swedish_error(client, login, admin_user):
    login(admin_user)
    response = client.get("/admin/gallring?ref=B-0000-000000")
    assert response.status_code == 404 and "Det finns ingen bokning med det numret" in response.get_data(as_text=True)
    assert _erase_form(client, "B-0000-000000").status_code == 404


def test_erased_fields_show_gallrad(app, db, staff_user):
    booking = make_booking(db, make_programme(db), requester_id=staff_user.id)
    booking.participant_name, booking.personal_data_erased_at = None, NOW
    with app.test_request_context():
        render = app.jinja_env.from_string("{{ personal_field(b, b.participant_name) }}|{{ personal_field(x, 'Anna') }}")
        assert render.render(b=booking, x=booking) == "Gallrad|Anna"


# --- loggkontroll ---------------------------------------------------------------------------


def _reads(db, count: int, month_start: datetime):
    for number in range(count):
        audit.record(db, actor=None, action=privacy.READ_PARTICIPANT, object_type="booking", object_id=number,
                     now=month_start + timedelta(hours=number))
    db.commit()


def test_the_sample_is_reproducible_and_within_the_month(db):
    _reads(db, 40, datetime(2026, 4, 1, 0, 0, tzinfo=timezone.utc))  # Stockholm: 02:00 on 1 April on
    _reads(db, 5, datetime(2026, 3, 31, 21, 0, tzinfo=timezone.utc))  # 23:00, 00:00, 01:00 … in Stockholm (UTC+2)
    period = privacy.Period.parse("2026-04")
    population, first = privacy.draw_log_sample(db, period, 10)
    again = privacy.draw_log_sample(db, period, 10)[1]
    assert population == 40 + 4  # four of the five fall after midnight in Stockholm
    assert [row.id for row in first] == [row.id for row in again] and len(first) == 10
    assert privacy.draw_log_sample(db, privacy.Period.parse("2026-05"), 10) == (0, [])
    assert [row.id for row in first] != [row.id for row in privacy.draw_log_sample(db, privacy.Period.parse("2026-03"), 10)[1]]


@pytest.mark.parametrize("text", ["2026-13", "26-04", "april", "2026-4x"])
def test_a_bad_month_is_refused_in_swedish(text):
    with pytest.raises(privacy.Invalid, match="ÅÅÅÅ-MM"):
        privacy.Period.parse(text)


def test_admin_records_the_monthly_review_once(client, login, admin_user, db, frozen_clock):
    frozen_clock(datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc))
    _reads(db, 30, datetime(2026, 4, 2, 8, 0, tzinfo=timezone.utc))
    login(admin_user)
    page = client.get("/admin/loggkontroll")  # defaults to the previous month
    assert page.status_code == 200 and "Loggkontroll 2026-04" in page.get_data(as_text=True)
    empty = client.post("/admin/loggkontroll", data={"manad": "2026-04", "size": 10, "findings": ""})
    assert empty.status_code == 422
    done = client.post("/admin/loggkontroll", data={"manad": "2026-04", "size": 10, "findings": "Inga avvikelser."})
    assert done.status_code == 302
    review = db.execute(select(LogReview)).scalar_one()
    assert (review.period, review.sample_size, review.population, review.reviewer_id) == ("2026-04", 10, 30, admin_user.id)
    expected = [row.id for row in privacy.draw_log_sample(db, privacy.Period.parse("2026-04"), 10)[1]]
    assert review.sampled_ids == expected
    assert client.post("/admin/loggkontroll", data={"manad": "2026-04", "size": 5, "findings": "Igen"}).status_code == 422
    assert audit_rows(db, "audit.log_review")[0].details["sample"] == 10
    html = client.get("/admin/loggkontroll?manad=2026-04").get_data(as_text=True)
    assert "Granskad" in html and "Inga avvikelser." in html


def test_the_current_month_cannot_be_signed_off_yet(client, login, admin_user, db, frozen_clock):
    frozen_clock(datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc))
    login(admin_user)
    response = client.post("/admin/loggkontroll", data={"manad": "2026-05", "size": 10, "findings": "Inga"})
    assert response.status_code == 422 and "inte slut" in response.get_data(as_text=True)
    assert db.execute(select(LogReview)).first() is None


def test_an_erased_booking_shows_gallrad_on_its_page_and_null_in_the_api(client, login, api, db, staff_user, engine, settings):
    booking = make_booking(db, make_programme(db), requester_id=staff_user.id, end=date(2025, 1, 31))
    assert _run_job(engine, settings) == 1
    login(staff_user)
    page = client.get(f"/placeringar/{booking.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "gallrade" in html and SECRET_NAME not in html
    response = api(staff_user).get(f"/api/v1/bookings/{booking.id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    participant = response.get_json()["participant"]
    assert participant["reference"] == booking.participant_reference
    assert participant["name"] is None and participant.get("contact") is None and participant.get("needs") is None


def test_retention_blanks_what_follow_ups_say_about_the_participant_and_keeps_the_ratings(engine, db, settings, staff_user):
    from marketplace.followups.models import FollowUp

    programme = make_programme(db)
    old = make_booking(db, programme, requester_id=staff_user.id, status="ended", end=date(2025, 5, 3))
    done = FollowUp(booking_id=old.id, sequence=1, due_date=date(2025, 3, 1), created_at=NOW - timedelta(days=500),
                    done_at=NOW - timedelta(days=450), capacity_physical=4, ready_motivated=True,
                    participant_view=f"{SECRET_NAME} trivs", progress_goals="Klarar fyra dagar",
                    progress_sub_goals="Tar bussen själv", notes="Ringde om sjukdom")
    db.add(done)
    db.commit()
    assert _run_job(engine, settings) == 1
    db.expire_all()
    kept = db.get(FollowUp, done.id)
    assert (kept.participant_view, kept.progress_goals, kept.progress_sub_goals, kept.notes) == ("", "", "", "")
    assert (kept.capacity_physical, kept.ready_motivated, kept.done_at is not None) == (4, True, True)
