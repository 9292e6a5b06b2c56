"""Keeping listings current (confirmation, reminder, "not confirmed since", validity, funding)
and eligibility (age range, requirements) through pages, API, import, jobs and bookings."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from catalog.models import Programme
from marketplace.audit.models import AuditLog
from marketplace.bookings.models import Booking
from marketplace.notifications.models import Notification, OutboxMessage
from marketplace.programmes import jobs as programme_jobs
from marketplace.scheduler import JobContext, jobs
from tests.factories import make_programme

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
START = date(2026, 3, 16)
MARKER = "ZQX-fritext-4417"


@pytest.fixture(autouse=True)
def _frozen(app, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")


def _age_confirmed(db, programme, days: int) -> None:
    db.execute(update(Programme).where(Programme.id == programme.id).values(confirmed_at=NOW - timedelta(days=days)))
    db.commit()


def _stale(db, programme) -> bool:
    db.rollback()
    stale = db.execute(select(Programme.stale).where(Programme.id == programme.id)).scalar_one()
    db.rollback()
    return stale


def _booking(programme, **overrides):
    body = {
        "programme_id": programme.id, "start_date": START.isoformat(), "end_date": (START + timedelta(days=27)).isoformat(),
        "participant": {"reference": "ÄR-77", "name": "Lina Berg"},
        "assignment": {"purpose": "Pröva arbete", "goals": "Fyra timmar", "tasks": "Park"},
    }
    body.update(overrides)
    return body


# --- confirmation ---------------------------------------------------------------------------


def test_a_coordinator_confirms_by_api_and_the_stale_marker_goes(api, db, coordinator, staff_user):
    programme = make_programme(db, name="Parklaget")
    _age_confirmed(db, programme, 300)
    item = api(staff_user).get("/api/v1/programmes?q=parklaget").get_json()["items"][0]
    assert item["not_confirmed_since"] is not None and item["not_confirmed_since"].startswith("2025-05-06")
    assert api(staff_user).post(f"/api/v1/programmes/{programme.id}/confirm").status_code == 403
    confirmed = api(coordinator).post(f"/api/v1/programmes/{programme.id}/confirm")
    assert confirmed.status_code == 200, confirmed.get_data(as_text=True)
    body = confirmed.get_json()
    assert body["not_confirmed_since"] is None and body["confirmed_at"].startswith("2026-03-02")
    assert db.execute(select(AuditLog).where(AuditLog.action == "programme.confirm")).scalar_one().actor_id == coordinator.id


def test_a_programme_confirmed_269_days_ago_is_not_marked(api, db, staff_user):
    programme = make_programme(db, name="Parklaget")
    _age_confirmed(db, programme, 269)
    assert api(staff_user).get(f"/api/v1/programmes/{programme.id}").get_json()["not_confirmed_since"] is None


def test_stale_programmes_rank_after_confirmed_ones_in_api_and_page(api, client, login, db, engine, settings, staff_user):
    stale = make_programme(db, name="Abborrlaget café")
    fresh = make_programme(db, name="Zebralaget café")
    _age_confirmed(db, stale, 271)
    # Search ranks by the flag the nightly upkeep job sets (an index serves that order).
    assert programme_jobs.mark_stale_programmes(JobContext(engine=engine, settings=settings, now=NOW)) == 1
    for query in ("", "?q=cafe"):
        items = api(staff_user).get(f"/api/v1/programmes{query}").get_json()["items"]
        assert [item["id"] for item in items] == [fresh.id, stale.id]
    login(staff_user)
    page = client.get("/insatser?q=cafe").get_data(as_text=True)
    assert page.index("Zebralaget") < page.index("Abborrlaget")
    assert "Inte bekräftad sedan" in page
    detail = client.get(f"/insatser/{stale.id}").get_data(as_text=True)
    assert "Inte bekräftad sedan" in detail


def test_the_confirm_button_on_the_programme_page(client, login, db, coordinator, staff_user):
    programme = make_programme(db, name="Parklaget")
    _age_confirmed(db, programme, 300)
    login(staff_user)
    assert "Bekräfta att uppgifterna stämmer" not in client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert client.post(f"/vara-insatser/{programme.id}/bekrafta").status_code == 403
    login(coordinator)
    page = client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert "Bekräfta att uppgifterna stämmer" in page and "Inte bekräftad sedan" in page
    response = client.post(f"/vara-insatser/{programme.id}/bekrafta", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "Insatsen är bekräftad som aktuell" in text
    assert "Inte bekräftad sedan" not in text
    db.rollback()
    db.refresh(programme)
    assert programme.confirmed_at == NOW


def test_the_reminder_goes_once_after_180_days_to_the_coordinators_without_typed_text(engine, settings, db, coordinator):
    assert {"marketplace.remind_unconfirmed_programmes", "marketplace.pause_expired_programmes"} <= {s.id for s in jobs()}
    due = make_programme(db, name=f"Insats {MARKER}")
    recent = make_programme(db, name="Nyligen bekräftad")
    _age_confirmed(db, due, 180)
    _age_confirmed(db, recent, 179)
    ctx = JobContext(engine=engine, settings=settings, now=NOW)
    assert programme_jobs.remind_unconfirmed_programmes(ctx) == 1
    assert programme_jobs.remind_unconfirmed_programmes(ctx) == 0  # once per confirmation
    db.rollback()
    notes = db.execute(select(Notification).where(Notification.user_id == coordinator.id)).scalars().all()
    assert len(notes) == 1 and MARKER in notes[0].message and notes[0].link == f"/insatser/{due.id}"
    mails = db.execute(select(OutboxMessage)).scalars().all()
    assert len(mails) == 1 and f"nr {due.id}" in mails[0].subject
    assert MARKER not in mails[0].subject and MARKER not in mails[0].body


def test_confirming_starts_a_new_reminder_period(api, engine, settings, db, coordinator):
    programme = make_programme(db)
    _age_confirmed(db, programme, 200)
    ctx = JobContext(engine=engine, settings=settings, now=NOW)
    assert programme_jobs.remind_unconfirmed_programmes(ctx) == 1
    assert api(coordinator).post(f"/api/v1/programmes/{programme.id}/confirm").status_code == 200
    later = JobContext(engine=engine, settings=settings, now=NOW + timedelta(days=181))
    assert programme_jobs.remind_unconfirmed_programmes(later) == 1


def test_the_stale_flag_follows_the_last_confirmation(api, engine, settings, db, coordinator):
    """The job marks listings confirmed 270 days ago or more, clears the flag on the others,
    writes nothing the second time; confirming clears the flag at once and the order follows."""
    assert "marketplace.mark_stale_programmes" in {s.id for s in jobs()}
    old, young = make_programme(db, name="Aalaget"), make_programme(db, name="Bölaget")
    _age_confirmed(db, old, 270)
    _age_confirmed(db, young, 269)
    db.execute(update(Programme).where(Programme.id == young.id).values(stale=True))  # confirmed by other means
    db.commit()
    ctx = JobContext(engine=engine, settings=settings, now=NOW)
    assert programme_jobs.mark_stale_programmes(ctx) == 2
    assert programme_jobs.mark_stale_programmes(ctx) == 0
    assert (_stale(db, old), _stale(db, young)) == (True, False)
    listed = [item["id"] for item in api(coordinator).get("/api/v1/programmes").get_json()["items"]]
    assert listed.index(young.id) < listed.index(old.id)
    assert api(coordinator).post(f"/api/v1/programmes/{old.id}/confirm").status_code == 200
    assert _stale(db, old) is False
    listed = [item["id"] for item in api(coordinator).get("/api/v1/programmes").get_json()["items"]]
    assert listed.index(old.id) < listed.index(young.id)


# --- validity and funding -------------------------------------------------------------------


def test_validity_and_funding_through_the_api(api, db, coordinator, staff_user):
    programme = make_programme(db)
    response = api(coordinator).patch(f"/api/v1/programmes/{programme.id}",
                                      json={"valid_from": "2026-01-01", "valid_to": "2026-06-30", "funding": "ESF-projekt"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["valid_to"] == "2026-06-30" and body["funding"] == "ESF-projekt"
    bad = api(coordinator).patch(f"/api/v1/programmes/{programme.id}", json={"valid_to": "2025-12-31"})
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"valid_to"}


def test_no_booking_runs_past_valid_to(api, db, staff_user):
    programme = make_programme(db, valid_to=date(2026, 4, 1))
    response = api(staff_user).post("/api/v1/bookings", json=_booking(programme))
    assert response.status_code == 422
    assert "2026-04-01" in response.get_json()["detail"]
    assert db.execute(select(Booking)).first() is None
    inside = api(staff_user).post("/api/v1/bookings", json=_booking(programme, end_date="2026-04-01"))
    assert inside.status_code == 201, inside.get_data(as_text=True)


def test_the_job_pauses_programmes_after_valid_to(engine, settings, db):
    ended = make_programme(db, valid_to=date(2026, 3, 1))
    last_day = make_programme(db, valid_to=date(2026, 3, 2))
    ctx = JobContext(engine=engine, settings=settings, now=NOW)
    assert programme_jobs.pause_expired_programmes(ctx) == 1
    assert programme_jobs.pause_expired_programmes(ctx) == 0
    db.rollback()
    db.refresh(ended)
    db.refresh(last_day)
    assert ended.status == "paused" and last_day.status == "published"


# --- eligibility ----------------------------------------------------------------------------


def test_age_range_and_requirements_through_the_api_and_search_filter(api, db, coordinator, staff_user):
    young = make_programme(db, name="Ungdomslaget", min_age=18, max_age=29, requirements="Körkort B")
    make_programme(db, name="Seniorlaget", min_age=50)
    open_to_all = make_programme(db, name="Alla-laget")
    item = api(staff_user).get(f"/api/v1/programmes/{young.id}").get_json()
    assert (item["min_age"], item["max_age"], item["requirements"]) == (18, 29, "Körkort B")
    ids = {i["id"] for i in api(staff_user).get("/api/v1/programmes?participant_age=25").get_json()["items"]}
    assert ids == {young.id, open_to_all.id}
    ids = {i["id"] for i in api(staff_user).get("/api/v1/programmes?participant_age=29").get_json()["items"]}
    assert young.id in ids
    ids = {i["id"] for i in api(staff_user).get("/api/v1/programmes?participant_age=30").get_json()["items"]}
    assert young.id not in ids and open_to_all.id in ids
    assert api(staff_user).get("/api/v1/programmes?participant_age=-1").status_code == 422
    bad = api(coordinator).patch(f"/api/v1/programmes/{young.id}", json={"min_age": 40})
    assert bad.status_code == 422 and {e["field"] for e in bad.get_json()["errors"]} == {"max_age"}


def test_a_booking_outside_the_age_range_is_refused_naming_the_range(api, db, staff_user):
    programme = make_programme(db, min_age=18, max_age=29)
    refused = api(staff_user).post("/api/v1/bookings", json=_booking(programme, participant_age=31))
    assert refused.status_code == 422
    problem = refused.get_json()
    assert "18–29" in problem["detail"] and problem["errors"][0]["field"] == "participant.age"
    ok = api(staff_user).post("/api/v1/bookings", json=_booking(programme, participant_age=29))
    assert ok.status_code == 201, ok.get_data(as_text=True)
    db.rollback()
    assert db.execute(select(Booking.participant_age)).scalar_one() == 29
    without_age = api(staff_user).post("/api/v1/bookings", json=_booking(programme))
    assert without_age.status_code == 201


def test_the_booking_form_refuses_an_age_outside_the_range_in_swedish(client, login, db, staff_user):
    programme = make_programme(db, min_age=18, max_age=29)
    login(staff_user)
    form = {"start_date": "2026-03-16", "end_date": "2026-04-12", "participant_reference": "ÄR-9",
            "participant_name": "Nora Lind", "purpose": "Pröva arbete", "goals": "Fyra timmar", "tasks": "Café",
            "idempotency_key": "form-age", "participant_age": "45"}
    response = client.post(f"/insatser/{programme.id}/boka", data=form)
    assert response.status_code == 422
    assert "Insatsen är för deltagare som är 18–29 år." in response.get_data(as_text=True)
    assert client.post(f"/insatser/{programme.id}/boka", data={**form, "participant_age": "tjugo"}).status_code == 422
    assert client.post(f"/insatser/{programme.id}/boka", data={**form, "participant_age": "20"}).status_code == 302


def test_the_programme_form_and_page_show_age_requirements_validity_and_funding(client, login, db, coordinator):
    login(coordinator)
    form = {
        "name": "Snickeriet Västberga", "code": "AMF-SNICK-01", "organisation": "AMF", "category": "carpentry",
        "capacity": "8", "price": "4 500,00", "price_unit": "month", "publish": "y",
        "min_age": "18", "max_age": "29", "requirements": "Klarar att stå", "valid_from": "2026-01-01",
        "valid_to": "2026-12-31", "funding": "ESF-projekt",
    }
    bad = client.post("/vara-insatser/ny", data={**form, "valid_to": "31/12", "min_age": "x"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Ange datum som ÅÅÅÅ-MM-DD." in text and "Ange ett heltal mellan 0 och 120." in text
    response = client.post("/vara-insatser/ny", data=form)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "18–29 år" in page and "Klarar att stå" in page and "ESF-projekt" in page and "Finansiering" in page
    programme = db.execute(select(Programme).where(Programme.code == "AMF-SNICK-01")).scalar_one()
    assert programme.valid_to == date(2026, 12, 31) and programme.min_age == 18
    edit = client.get(f"/vara-insatser/{programme.id}/andra").get_data(as_text=True)
    assert 'value="2026-12-31"' in edit and 'value="18"' in edit


def test_the_search_page_filters_by_participant_age(client, login, db, staff_user):
    make_programme(db, name="Ungdomslaget", min_age=18, max_age=29)
    make_programme(db, name="Seniorlaget", min_age=50)
    login(staff_user)
    page = client.get("/insatser?participant_age=20").get_data(as_text=True)
    assert "Ungdomslaget" in page and "Seniorlaget" not in page
    bad = client.get("/insatser?participant_age=tjugo")
    assert bad.status_code == 422 and "Ange deltagarens ålder" in bad.get_data(as_text=True)


def test_the_import_reads_age_requirements_validity_and_funding(db):
    from catalog import importer
    from catalog.errors import ImportRejected
    from catalog.models import Organisation

    amf = db.execute(select(Organisation.id).where(Organisation.code == "AMF")).scalar_one()
    header = "kod;namn;kategori;platser;pris;prisenhet;min_ålder;max_ålder;krav;giltig_från;giltig_till;finansiering\r\n"
    good = header + "IMP-1;Importlaget;painting;4;4 500;månad;18;29;Körkort;2026-01-01;2026-12-31;ESF\r\n"
    created = importer.import_programmes(db, good.encode("utf-8"), default_organisation_id=amf,
                                         allowed_organisation_ids=None, actor_id=None, now=NOW)
    programme = created[0]
    assert (programme.min_age, programme.max_age, programme.requirements, programme.funding) == (18, 29, "Körkort", "ESF")
    assert (programme.valid_from, programme.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))
    db.rollback()
    bad = header + "IMP-2;Importlaget;painting;4;4 500;månad;30;20;;31/12;2026-01-01;\r\n"
    with pytest.raises(ImportRejected) as rejected:
        importer.import_programmes(db, bad.encode("utf-8"), default_organisation_id=amf,
                                   allowed_organisation_ids=None, actor_id=None, now=NOW)
    assert {(column, message) for _, column, message in rejected.value.row_errors} == {
        ("max_ålder", "Högsta ålder får inte vara lägre än lägsta ålder."),
        ("giltig_från", "Ange datum som ÅÅÅÅ-MM-DD."),
    }
    assert importer.template_csv().decode("utf-8-sig").splitlines()[0].endswith("valid_to;funding;status")
