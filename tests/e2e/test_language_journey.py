"""Swedish by default; English chosen once is remembered across pages and sign-ins."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in, sign_out, visit

pytestmark = pytest.mark.e2e
J = "language"


def test_english_is_remembered_across_pages_and_sign_in(page, staff_user):
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

    sign_out(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("status")).to_have_text("You are signed out.")

    page.get_by_role("button", name="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in")
