"""Keyboard only, visible focus, and a phone-width screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.fit import fit_problems
from tests.e2e.support import shot, sign_in, visit

pytestmark = pytest.mark.e2e
J = "keyboard"


def _focus_is_visible(page) -> bool:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (!el || el === document.body) return false;
            const s = getComputedStyle(el);
            return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none';
        }"""
    )


def test_sign_in_works_with_the_keyboard_alone_and_focus_is_always_visible(page, staff_user):
    from tests.factories import DEFAULT_PASSWORD

    page.goto("/logga-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip).to_be_focused()
    assert _focus_is_visible(page)
    expect(skip).to_be_in_viewport()
    shot(page, J, "01-skip-link", full_page=False)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    email = page.get_by_label("E-post")
    expect(email).to_be_focused()
    assert _focus_is_visible(page)
    page.keyboard.type(staff_user.email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lösenord")).to_be_focused()
    page.keyboard.type(DEFAULT_PASSWORD)
    shot(page, J, "02-focus-in-form", full_page=False)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Välkommen")


def test_the_catalogue_search_works_with_the_keyboard_alone(page, db, staff_user):
    from tests.factories import make_programme

    make_programme(db, organisation="AMF", name="Måleriverkstan")
    make_programme(db, organisation="HV", name="Cykelverkstan", category="bicycle", description="Reparera cyklar.")
    sign_in(page, staff_user)
    page.goto("/insatser")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    search = page.get_by_label("Sökord")
    expect(search).to_be_focused()
    assert _focus_is_visible(page)

    # Every control of the search form can be reached, and shows where the focus is.
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        assert _focus_is_visible(page), f"focus not visible after {seen[-1:] or 'the search field'}"
        name = page.evaluate("() => document.activeElement.labels?.[0]?.textContent.trim() || document.activeElement.textContent.trim()")
        seen.append(name)
        if name == "Sök":
            break
    assert {"Kategori", "Anordnare", "Högsta pris (kr)", "Sök"} <= set(seen), seen
    shot(page, J, "03-search-focus", full_page=False)

    search.focus()
    page.keyboard.type("cykel")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Cykelverkstan")).to_be_visible()
    expect(page.get_by_role("heading", name="Måleriverkstan")).to_have_count(0)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link again, then on to the first result by keyboard
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Cykelverkstan":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cykelverkstan")


def test_pages_fit_a_phone_screen_without_sideways_scrolling(browser, live_server, db, staff_user):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        from tests.factories import make_programme

        programme = make_programme(db, organisation="AMF", name="Måleriverkstan Liljeholmen", location="Liljeholmsvägen 10")
        page = context.new_page()
        page.goto("/logga-in")
        assert fit_problems(page) == []
        visit(page, "phone", "01-sign-in")
        sign_in(page, staff_user)
        steps = [("02-start", "/"), ("03-search", "/insatser?q=maleri"), ("04-programme", f"/insatser/{programme.id}"),
                 ("05-request", f"/insatser/{programme.id}/boka"), ("06-placements", "/placeringar"),
                 ("07-followups", "/uppfoljningar")]
        for step, url in steps:
            visit(page, "phone", step, url)
            # Measured against the layout viewport (window.innerWidth grows with any overflow
            # under mobile emulation); tests/e2e/test_widths.py checks every page at four widths.
            assert fit_problems(page) == [], f"{url} does not fit 375 px"
    finally:
        context.close()
