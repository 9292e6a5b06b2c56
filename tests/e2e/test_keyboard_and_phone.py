"""Keyboard only, visible focus, and a phone-width screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

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


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_pages_fit_a_phone_screen_without_sideways_scrolling(browser, live_server, db, staff_user):
    context = browser.new_context(base_url=live_server, viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto("/logga-in")
        assert _no_horizontal_scroll(page)
        visit(page, "phone", "01-sign-in")
        sign_in(page, staff_user)
        assert _no_horizontal_scroll(page)
        visit(page, "phone", "02-start")
    finally:
        context.close()
