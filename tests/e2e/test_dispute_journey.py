"""District finance disputes a line of its statement, the provider accepts with a credit, city
finance closes the next month, and the credit line is in that month's CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from billing import operations
from tests.billing._factories import make_booking, make_programme
from tests.e2e.support import enrol_second_factor, shot, sign_in, sign_out, visit
from tests.factories import make_user

pytestmark = pytest.mark.e2e
J = "dispute"


def test_district_finance_disputes_a_line_and_the_credit_reaches_the_next_months_file(
        page, db, engine, settings, finance_user, frozen_clock):
    cafe = make_programme(db, organisation="AMF", price_ore=450_000, price_unit="month", name="Caféet på torget")
    booking = make_booking(db, cafe, buyer="RK", start=date(2026, 3, 1), end=date(2026, 4, 30))
    with Session(engine, expire_on_commit=False) as session:
        operations.close_and_store(session, "2026-03", actor=None, now=datetime(2026, 4, 2, 5, tzinfo=timezone.utc),
                                   instance_path=settings.instance_path)
    ekonom = make_user(db, organisation="RK", roles=["district_finance"], email="ekonom.rk@test.se", name="Eva Ekonom")
    coordinator = make_user(db, organisation="AMF", roles=["coordinator"], email="coord.amf@test.se", name="Kim Anordnare")
    enrol_second_factor(db, ekonom)
    enrol_second_factor(db, finance_user)
    frozen_clock("2026-04-03T09:00:00+02:00")

    # District finance: from its own months to March's statement, and a dispute of the café's line.
    sign_in(page, ekonom, db)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Vår ekonomi").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vår ekonomi")
    page.get_by_role("link", name="2026-03", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026-03")
    visit(page, J, "01-statement")
    page.get_by_role("link", name=f"Bestrid {booking.ref}").click()
    expect(page.get_by_label("Bokning")).to_have_value(booking.ref)
    expect(page.get_by_label("Månad")).to_have_value("2026-03")
    page.get_by_role("button", name="Skicka tvisten").click()  # no reason: a Swedish error, nothing saved
    expect(page.get_by_role("alert")).to_contain_text("Skriv vad som är fel med raden.")
    visit(page, J, "02-form-error")
    page.get_by_label("Vad är fel?").fill("Platsen stod tom de två första veckorna i mars.")
    page.get_by_role("button", name="Skicka tvisten").click()
    expect(page.get_by_role("status")).to_contain_text("Tvisten är registrerad")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Öppen")
    visit(page, J, "03-dispute-open")
    sign_out(page)

    # The provider's coordinator answers from the note on the start page: accepted, 500 kr back.
    sign_in(page, coordinator, db)
    page.get_by_role("link", name=f"Faktureringen av {booking.ref} för 2026-03 är bestridd").first.click()
    expect(page.get_by_role("heading", name="Svara på tvisten")).to_be_visible()
    page.get_by_label("Godkänn").check()
    page.get_by_label("Kreditering i kronor").fill("500,00")
    page.get_by_label("Svar till köparen").fill("Vi krediterar två veckor.")
    visit(page, J, "04-answer")
    page.get_by_role("button", name="Spara svaret").click()
    expect(page.get_by_role("status")).to_contain_text("Svaret är sparat")
    expect(page.locator("#credit")).to_contain_text("500,00")
    visit(page, J, "05-accepted")
    sign_out(page)

    # City finance closes April: the credit is a line of April's CSV, correcting March.
    frozen_clock("2026-05-04T09:00:00+02:00")
    sign_in(page, finance_user, db)
    page.goto("/fakturering/2026-04")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stäng 2026-04").click()
    expect(page.get_by_role("status")).to_contain_text("2026-04 är stängd")
    visit(page, J, "06-april-closed")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV för Excel").first.click()
    content = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content, newline=""), delimiter=";"))
    assert [(r["booking_ref"], r["amount"], r["correction_of"]) for r in rows] == [
        (booking.ref, "4500,00", ""), (booking.ref, "-500,00", "2026-03")]
    shot(page, J, "07-done")
