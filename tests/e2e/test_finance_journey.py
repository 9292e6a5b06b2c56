"""Finance previews a month, closes it (with confirmation) and downloads CSV, XLSX and SIE."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.billing._factories import make_booking, make_programme
from tests.e2e.support import enrol_second_factor, shot, sign_in, visit

pytestmark = pytest.mark.e2e
J = "finance"


def test_finance_previews_closes_a_month_and_downloads_all_three_files(page, db, finance_user, frozen_clock):
    frozen_clock("2026-04-03T09:00:00")
    cafe = make_programme(db, organisation="AMF", price_ore=450_000, price_unit="month", name="Caféet på torget")
    garden = make_programme(db, organisation="HV", price_ore=35_000, price_unit="day", name="Trädgården")
    make_booking(db, cafe, buyer="RK", start=date(2026, 3, 1), end=date(2026, 6, 30))
    make_booking(db, garden, buyer="ST", start=date(2026, 3, 16), end=date(2026, 3, 31))
    enrol_second_factor(db, finance_user)

    sign_in(page, finance_user, db)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Fakturering").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fakturering")
    visit(page, J, "01-months")

    page.get_by_role("link", name="2026-03", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026-03")
    expect(page.get_by_text("Öppen – förhandsvisning")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("^Belopp per köpare"))).to_contain_text("4\xa0500,00\xa0kr")
    visit(page, J, "02-preview")

    page.get_by_role("link", name="RK köper av AMF").click()
    expect(page.locator("#lines")).to_contain_text("Caféet på torget")
    visit(page, J, "03-preview-lines")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Stäng 2026-03").click()
    expect(page.get_by_text("Öppen – förhandsvisning")).to_be_visible()  # dismissed: nothing closed
    assert questions and "2026-03" in questions[0]

    # While the month closes, the page says so and the button cannot be pressed twice. The
    # first attempt is cut off in the network (ERR_ABORTED keeps the page) to look at it.
    page.route("**/fakturering/2026-03/stang", lambda route: route.abort("aborted"))
    page.once("dialog", lambda dialog: dialog.accept())
    close = page.get_by_role("button", name="Stäng 2026-03")
    close.click()
    expect(page.get_by_role("status")).to_contain_text("Stänger 2026-03")
    expect(close).to_be_disabled()
    shot(page, J, "04-closing", full_page=False)
    page.unroute("**/fakturering/2026-03/stang")
    page.reload()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Stäng 2026-03").click()
    expect(page.get_by_role("status")).to_contain_text("2026-03 är stängd")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stängd")
    visit(page, J, "05-closed")

    expected = {"csv": b"\xef\xbb\xbf", "xlsx": b"PK", "sie": b"#FLAGGA"}
    names = {"csv": "CSV för Excel", "xlsx": "Excel (XLSX)", "sie": "SIE 4"}
    for fmt, label in names.items():
        with page.expect_download() as info:
            page.get_by_role("link", name=label).first.click()
        path = info.value.path()
        content = Path(path).read_bytes()
        assert content.startswith(expected[fmt]), (fmt, content[:20])
        assert len(content) > 50
    page.reload()
    visit(page, J, "06-files")
    expect(page.locator("code.checksum")).to_have_count(3)

    page.emulate_media(media="print")
    shot(page, J, "07-print")
    assert page.get_by_role("button", name="Logga ut").is_hidden()
    page.emulate_media(media="screen")
