"""Swedish by default; English chosen once is remembered across pages and sign-ins, and
money and dates follow the language."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketplace.i18n import record_untranslated
from tests.e2e.support import sign_in, sign_out, visit
from tests.factories import make_programme

pytestmark = pytest.mark.e2e
J = "language"


def test_english_is_remembered_across_pages_and_sign_in(page, app, db, staff_user, frozen_clock):
    frozen_clock("2026-03-02T09:00:00")
    programme = make_programme(db, organisation="AMF", name="Måleriverkstan", price_ore=450_000, price_unit="month")
    untranslated = record_untranslated(app, "en")

    page.goto("/logga-in")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    visit(page, J, "01-sign-in-en")

    sign_in(page, staff_user)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    visit(page, J, "02-start-en")

    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Find programmes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find programmes")
    card = page.get_by_role("article").filter(has_text="Måleriverkstan")
    expect(card).to_contain_text("SEK\xa04,500.00")
    expect(card).to_contain_text("Painting")
    visit(page, J, "03-search-en")
    page.get_by_role("link", name="Måleriverkstan").click()
    expect(page.get_by_role("link", name="Request a place")).to_be_visible()
    expect(page.get_by_role("paragraph").filter(has_text="Last updated").get_by_text("Mar 2, 2026")).to_be_visible()
    visit(page, J, "04-programme-en")
    page.get_by_role("link", name="Request a place").click()
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the participant's name.")
    visit(page, J, "05-request-errors-en")

    sign_out(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("status")).to_have_text("You are signed out.")

    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
    assert not untranslated, f"shown in English without a translation: {sorted(untranslated)}"
    assert programme.id
