"""The work around a placement, in the browser: the two sides write to each other, share the
work plan, book the start meeting (its calendar file opens in any calendar), and after the
end the provider writes the summary that goes back to the buyer.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.e2e.support import fill_request, run_start_job, sign_in, sign_out, visit
from tests.factories import make_programme

pytestmark = pytest.mark.e2e
J = "collaboration"
WORK_PLAN = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_request_message_document_meeting_approve_end_summary(page, app, db, staff_user, coordinator, frozen_clock, tmp_path):
    frozen_clock("2026-03-02T09:00:00")
    make_programme(db, organisation="AMF", name="Snickeriet Husby", capacity=3, location="Husby gård 4")

    # Staff requests a place, writes to the provider and shares the work plan.
    sign_in(page, staff_user)
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sök insatser").click()
    page.get_by_label("Sökord").fill("snickeri")
    page.get_by_label("Sökord").press("Enter")
    page.get_by_role("link", name="Snickeriet Husby").click()
    page.get_by_role("link", name="Begär plats").click()
    ref = fill_request(page, start="2026-03-16", end="2026-05-29", participant_ref="RK-2026-0077",
                       participant_name="Samir Haddad")
    booking_url = page.url

    page.get_by_label("Meddelande", exact=True).fill("Samir vill gärna börja på förmiddagar. Passar det?")
    page.get_by_role("button", name="Skicka meddelandet").click()
    expect(page.get_by_role("status")).to_contain_text("Meddelandet är skickat")
    expect(page.get_by_text("Samir vill gärna börja på förmiddagar. Passar det?")).to_be_visible()

    work_plan = tmp_path / "arbetsplan-samir.pdf"
    work_plan.write_bytes(WORK_PLAN)
    page.get_by_label("Sorts dokument").select_option(label="Arbetsplan")
    page.get_by_label("Fil", exact=True).set_input_files(str(work_plan))
    page.get_by_role("button", name="Ladda upp").click()
    expect(page.get_by_role("status")).to_contain_text("Dokumentet är uppladdat")
    expect(page.get_by_role("link", name="arbetsplan-samir.pdf")).to_be_visible()
    visit(page, J, "01-requested-with-message-and-document")
    sign_out(page)

    # The coordinator reads the message, downloads the work plan, answers and books the start meeting.
    sign_in(page, coordinator)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Inkommande förfrågningar").click()
    page.get_by_role("link", name=ref).click()
    expect(page.get_by_text("Samir vill gärna börja på förmiddagar. Passar det?")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="arbetsplan-samir.pdf").click()
    assert download.value.suggested_filename == "arbetsplan-samir.pdf"
    assert Path(download.value.path()).read_bytes() == WORK_PLAN

    page.get_by_label("Meddelande", exact=True).fill("Förmiddagar går bra, 8–12.")
    page.get_by_role("button", name="Skicka meddelandet").click()
    expect(page.get_by_text("Förmiddagar går bra, 8–12.")).to_be_visible()

    page.get_by_role("link", name="Möten").click()
    page.get_by_label("Typ av möte").select_option(label="Startmöte (trepartssamtal)")
    page.get_by_label("Börjar").fill("2026-03-16T09:00")
    page.get_by_label("Slutar").fill("2026-03-16T10:00")
    page.get_by_label("Plats").fill("Husby gård 4, entré B")
    page.get_by_role("button", name="Boka möte").click()
    expect(page.get_by_role("status")).to_contain_text("Mötet är inbokat")
    visit(page, J, "02-start-meeting-booked")
    with page.expect_download() as download:
        page.get_by_role("link", name="Hämta kalenderfil (.ics)").click()
    calendar = Calendar.from_ical(Path(download.value.path()).read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert ref in str(event["SUMMARY"]) and "Snickeriet Husby" in str(event["SUMMARY"])
    assert "Samir" not in calendar.to_ical().decode()  # never the participant's name
    # The time typed on the page is Stockholm time, whichever zone the file states it in.
    starts = event.decoded("DTSTART").astimezone(ZoneInfo("Europe/Stockholm"))
    assert (starts.year, starts.month, starts.day, starts.hour, starts.minute) == (2026, 3, 16, 9, 0)

    page.goto(booking_url)
    page.get_by_role("button", name="Godkänn förfrågan").click()
    expect(page.get_by_role("status")).to_contain_text("Förfrågan är godkänd")
    sign_out(page)

    # The placement starts and ends (staff ends it with the outcome).
    frozen_clock("2026-03-16T08:00:00")
    assert run_start_job(app) == 1
    frozen_clock("2026-05-29T15:00:00")
    sign_in(page, staff_user)
    page.goto(booking_url)
    page.get_by_label("Sista dag").fill("2026-05-29")
    page.get_by_label("Utfall").select_option(label="Arbete")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Avsluta placeringen").click()
    expect(page.get_by_role("status")).to_contain_text("Placeringen är avslutad")
    sign_out(page)

    # The provider writes the summary; the buyer reads it, printable.
    sign_in(page, coordinator)
    page.goto(booking_url)
    page.get_by_role("link", name="Avslutsrapport").click()
    page.get_by_role("textbox", name="Närvaro").fill("Deltog 4 av 5 dagar i veckan.")
    page.get_by_label("Vad som uppnåtts").fill("Arbetar självständigt med enklare snickeri.")
    page.get_by_label("Rekommendation").fill("Praktik hos en snickerifirma.")
    page.get_by_label("Nästa steg").fill("Jobbtorg matchar mot lärlingsplats.")
    page.get_by_role("button", name="Spara och meddela beställaren").click()
    expect(page.get_by_role("status")).to_contain_text("Avslutsrapporten är sparad")
    sign_out(page)

    sign_in(page, staff_user)
    page.goto("/")
    expect(page.get_by_text(re.compile(f"Avslutsrapport.*{ref}|{ref}.*[Aa]vslutsrapport")).first).to_be_visible()
    page.goto(booking_url)
    page.get_by_role("link", name="Avslutsrapport").click()
    expect(page.get_by_text("Arbetar självständigt med enklare snickeri.")).to_be_visible()
    visit(page, J, "03-summary")
