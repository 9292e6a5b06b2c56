"""Admin signs in with password and one-time code and adds a user through the pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.support import enrol_second_factor, shot, sign_in, visit

pytestmark = pytest.mark.e2e
J = "admin"


def test_admin_adds_a_user_who_can_then_sign_in(page, db, admin_user, frozen_clock, context):
    frozen_clock("2026-03-02T09:00:00")
    enrol_second_factor(db, admin_user)
    visit(page, J, "01-sign-in", "/logga-in")
    sign_in(page, admin_user, db)
    visit(page, J, "02-start")

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Användare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Användare")
    visit(page, J, "03-users")

    page.get_by_role("link", name="Ny användare").click()
    visit(page, J, "04-new-user")
    page.get_by_role("button", name="Skapa användare").click()
    expect(page.get_by_role("alert")).to_contain_text("Ange namn")
    name_field = page.get_by_label("Namn", exact=True)
    expect(name_field).to_have_attribute("aria-invalid", "true")
    visit(page, J, "05-new-user-errors")

    name_field.fill("Fatima Karlsson")
    page.get_by_label("E-post").fill("fatima.karlsson@test.se")
    page.get_by_label("Organisation").select_option("ST")
    page.get_by_label("Handläggare").check()
    page.get_by_label("Startlösenord").fill("ett-langt-startlosen")
    page.get_by_role("button", name="Skapa användare").click()
    expect(page.get_by_role("status")).to_contain_text("Fatima Karlsson")
    row = page.get_by_role("row").filter(has_text="fatima.karlsson@test.se")
    expect(row).to_contain_text("Handläggare")
    visit(page, J, "06-user-created")

    other = context.browser.new_context(base_url=re.sub(r"/[^/]*$", "", page.url.split("/admin")[0] + "/"))
    try:
        tab = other.new_page()
        tab.goto("/logga-in")
        tab.get_by_label("E-post").fill("fatima.karlsson@test.se")
        tab.get_by_label("Lösenord").fill("ett-langt-startlosen")
        tab.get_by_role("button", name="Logga in").click()
        expect(tab.get_by_role("heading", level=1)).to_contain_text("Fatima Karlsson")
    finally:
        other.close()


def test_deactivating_a_user_asks_first_even_without_javascript(browser, live_server, db, admin_user, staff_user, frozen_clock):
    frozen_clock("2026-03-02T09:00:00")
    enrol_second_factor(db, admin_user)
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, admin_user, db)
        page.goto("/admin/anvandare")
        row = page.get_by_role("row").filter(has_text=staff_user.email)
        confirm = row.get_by_role("button", name="Ja, inaktivera")
        expect(confirm).to_be_hidden()
        row.locator("summary", has_text=f"Inaktivera {staff_user.name}").click()
        expect(row.get_by_text("Personen loggas ut direkt")).to_be_visible()
        shot(page, J, "07-deactivate-confirm-no-js")  # axe needs scripts; the page is checked with them above
        confirm.click()
        expect(page.get_by_role("status")).to_contain_text("är inaktiverad och utloggad")
        expect(page.get_by_role("row").filter(has_text=staff_user.email)).to_contain_text("Inaktiverad")
    finally:
        context.close()
