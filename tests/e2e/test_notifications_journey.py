"""Notifications in a real browser, without JavaScript doing anything for it: the header's
unread count, marking one and all read, and choosing a daily digest for decisions."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.support import sign_in, visit
from tests.marketplace.notifications._helpers import add_notes

pytestmark = pytest.mark.e2e
J = "notifications"


def test_a_user_reads_notifications_and_chooses_a_daily_digest(page, app, db, staff_user, frozen_clock):
    frozen_clock("2026-03-02T09:00:00+01:00")
    add_notes(app.extensions["insatstorget"].engine, staff_user, 2, at=datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc))
    sign_in(page, staff_user)
    header_link = page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Aviseringar\s*,\s*2 olästa$"))
    expect(header_link).to_be_visible()
    header_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aviseringar")
    visit(page, J, "01-list")

    page.get_by_role("button", name=re.compile(r"^Markera som läst\s*: Förfrågan B-2026-000001 är godkänd\.$")).click()
    expect(page.get_by_role("status")).to_contain_text("Aviseringen är markerad som läst.")
    expect(page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Aviseringar\s*,\s*1 oläst$"))).to_be_visible()
    page.get_by_role("button", name="Markera alla som lästa").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Aviseringar", exact=True)).to_be_visible()
    page.get_by_role("link", name="Olästa").click()
    expect(page.get_by_text("Du har inga olästa aviseringar.")).to_be_visible()
    visit(page, J, "02-none-unread")

    page.get_by_role("link", name="Inställningar för e-post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Aviseringsinställningar")
    visit(page, J, "03-settings")
    decisions = page.get_by_role("group", name="Beslut: godkänd, avslagen, avbokad, utgången eller avslutad placering, avslutsrapport")
    decisions.get_by_label("En gång om dagen (kl. 07.00)").check()
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Dina aviseringsinställningar är sparade.")
    expect(page.get_by_role("group", name="Beslut: godkänd, avslagen, avbokad, utgången eller avslutad placering, avslutsrapport")
           .get_by_label("En gång om dagen (kl. 07.00)")).to_be_checked()
    visit(page, J, "04-settings-saved")
