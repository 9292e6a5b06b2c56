"""The checks the journeys rely on can fail: axe finds violations, the CSP stays enforced."""

from __future__ import annotations

import pytest

from tests.e2e.support import assert_accessible

pytestmark = pytest.mark.e2e


def test_the_accessibility_check_fails_on_an_unlabelled_field_and_unreadable_text(page, live_server):
    page.goto("/logga-in")
    page.evaluate(
        """() => {
            const input = document.createElement('input');
            input.type = 'text';
            document.querySelector('main').prepend(input);
            const p = document.createElement('p');
            p.textContent = 'grå text';
            p.setAttribute('class', 'x');
            document.querySelector('main').prepend(p);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, "harness")
    assert "label" in str(failure.value)


def test_the_pages_content_security_policy_stays_on_during_the_journeys(page):
    page.goto("/logga-in")
    ran = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener('securitypolicyviolation', () => resolve('blocked'));
            const s = document.createElement('script');
            s.textContent = 'window.__inline = 1';
            document.body.appendChild(s);
            setTimeout(() => resolve(window.__inline ? 'ran' : 'blocked'), 500);
        })"""
    )
    assert ran == "blocked"
    assert any("Content Security Policy" in problem for problem in page.recorder.problems)
    page.recorder.problems.clear()  # noticed, as every journey would notice it
