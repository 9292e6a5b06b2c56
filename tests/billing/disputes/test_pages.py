"""The disputes pages: raise one from a statement line, the provider answers with a credit, the
lists and the district page show open disputes on both sides; errors are Swedish form errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from billing.disputes.models import Dispute
from tests.billing.disputes._helpers import close, march_to_april, users


@pytest.fixture
def people(db):
    return users(db)


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_district_finance_disputes_a_statement_line_and_the_provider_credits_it(
        db, app, login, people, engine, settings, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    buyer = login(people["buyer_finance"], target=app.test_client())

    statement = _page(buyer.get("/fakturering/2026-03/sammanstallning/RK"))
    link = f"/fakturering/tvister/ny?booking_ref={booking.ref}&amp;period=2026-03"
    assert link in statement
    form = buyer.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and f'value="{booking.ref}"' in _page(form)

    empty = buyer.post("/fakturering/tvister/ny", data={"booking_ref": booking.ref, "period": "2026-03", "reason": ""})
    assert empty.status_code == 422 and "Rätta följande" in _page(empty) and "Skriv vad som är fel" in _page(empty)
    wrong_month = buyer.post("/fakturering/tvister/ny", data={"booking_ref": booking.ref, "period": "2026-02",
                                                               "reason": "Fel"})
    assert wrong_month.status_code == 422 and "Bokningen har ingen rad den månaden." in _page(wrong_month)
    db.rollback()
    assert db.execute(select(func.count()).select_from(Dispute)).scalar_one() == 0

    raised = buyer.post("/fakturering/tvister/ny", data={"booking_ref": booking.ref, "period": "2026-03",
                                                          "reason": "Platsen stod tom <b>halva</b> mars."})
    assert raised.status_code == 302
    shown = _page(buyer.get(raised.headers["Location"]))
    assert "Tvisten är registrerad" in shown and "&lt;b&gt;halva&lt;/b&gt;" in shown and "Svara på tvisten" not in shown

    provider = login(people["provider_finance"], target=app.test_client())
    district = _page(provider.get("/fakturering/var-ekonomi"))
    assert "Öppna tvister" in district and booking.ref in district and "väntar på vårt svar" in district
    assert "vi sålde till RK: svara" in _page(provider.get("/"))
    dispute_url = raised.headers["Location"]
    page = _page(provider.get(dispute_url))
    assert "Svara på tvisten" in page
    too_much = provider.post(f"{dispute_url}/besvara", data={"decision": "accepted", "credit": "4 500,01", "note": ""})
    assert too_much.status_code == 422 and "Krediteringen är större" in _page(too_much)
    answered = provider.post(f"{dispute_url}/besvara", data={"decision": "accepted", "credit": "4 500,00",
                                                             "note": "Vi krediterar hela mars."})
    assert answered.status_code == 302
    page = _page(provider.get(dispute_url))
    assert "Godkänd" in page and "krediteras i nästa månad som stängs" in page and "Svara på tvisten" not in page
    again = provider.post(f"{dispute_url}/besvara", data={"decision": "rejected"})
    assert again.status_code == 302 and "redan besvarad" in _page(provider.get(again.headers["Location"]))

    close(engine, settings, "2026-04", datetime(2026, 5, 2, tzinfo=timezone.utc))
    april = _page(buyer.get("/fakturering/2026-04/sammanstallning/RK"))
    assert "Kreditering av 2026-03" in april and "kreditering av 2026-03: tvist #" in april
    assert "krediterad i 2026-04" in _page(buyer.get(dispute_url))
    listed = _page(buyer.get("/fakturering/tvister?status=avgjorda"))
    assert booking.ref in listed and "Godkänd" in listed
    assert booking.ref not in _page(buyer.get("/fakturering/tvister?status=oppna"))


def test_the_month_page_and_the_close_list_open_disputes(db, app, login, api, people, frozen_clock):
    booking = march_to_april(db)
    frozen_clock("2026-04-03T09:00:00+02:00")
    api(people["buyer_staff"]).post("/api/v1/billing/disputes",
                                    json={"booking_ref": booking.ref, "period": "2026-03", "reason": "Fel"})
    finance = login(people["city_finance"], target=app.test_client())
    assert "1 öppen tvist om månaden" in _page(finance.get("/fakturering/2026-03"))
    closed = finance.post("/fakturering/2026-03/stang", follow_redirects=True)
    page = _page(closed)
    assert "1 tvist om månaden är fortfarande öppen" in page and booking.ref in page


def test_others_do_not_see_a_dispute_page(db, app, login, api, people, frozen_clock):
    booking = march_to_april(db)
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = api(people["buyer_finance"]).post("/api/v1/billing/disputes", json={
        "booking_ref": booking.ref, "period": "2026-03", "reason": "Fel"}).get_json()
    for key, status in (("other_finance", 404), ("provider_staff", 404), ("admin", 403), ("city_finance", 200)):
        client = login(people[key], target=app.test_client())
        assert client.get(f"/fakturering/tvister/{dispute['id']}").status_code == status, key
    buyer_staff = login(people["buyer_staff"], target=app.test_client())
    assert buyer_staff.post(f"/fakturering/tvister/{dispute['id']}/besvara", data={"decision": "rejected"}).status_code == 403
