"""A dispute's mail takes a booking ref, a month, the dispute's number and a credit in öre,
each of its own shape, so no typed text (a reason, a note, a header) can get into it or into
the digest line made from it later."""

from __future__ import annotations

from datetime import date

import pytest

from marketplace.notifications.mail_templates import DISPUTE_TEMPLATES, digest_mail, dispute_mail

TYPED = "B-2026-000123\r\nBcc: ute@example.com"


@pytest.mark.parametrize("kind", sorted(DISPUTE_TEMPLATES))
def test_a_dispute_mail_names_the_booking_month_and_dispute(kind):
    built = dispute_mail(kind, ref="B-2026-000123", period="2026-03", number=42, credit_ore=123_450)
    assert built.subject == DISPUTE_TEMPLATES[kind][0].format(ref="B-2026-000123", period="2026-03")
    assert "B-2026-000123" in built.body and "2026-03" in built.body and "nr 42" in built.body
    assert ("1234,50 kr" in built.body) == (kind in ("dispute_credit_agreed", "dispute_credited"))
    assert (built.kind, built.ref) == (kind, "B-2026-000123 2026-03")
    assert "\r" not in built.subject and "\n" not in built.subject


@pytest.mark.parametrize("values", [
    {"ref": TYPED}, {"ref": "Platsen stod tom"}, {"ref": ""},
    {"period": "2026-03\r\nBcc: ute@example.com"}, {"period": "2026-13"}, {"period": "mars"},
    {"number": 0}, {"number": "42"}, {"number": True}, {"credit_ore": -1}, {"credit_ore": 12.5},
])
def test_anything_but_the_expected_shapes_is_refused(values):
    with pytest.raises(ValueError):
        dispute_mail("dispute_raised", **{"ref": "B-2026-000123", "period": "2026-03", "number": 42, **values})


def test_the_digest_line_is_the_subject_again_and_refuses_a_tampered_item():
    built = dispute_mail("dispute_rejected", ref="B-2026-000123", period="2026-03", number=42)
    digest = digest_mail(date(2026, 4, 4), [("dispute_rejected", built.ref), ("booking_approved", "B-2026-000124")])
    assert f"- {built.subject}\n- Godkänd: B-2026-000124\n" in digest.body
    for ref in (TYPED + " 2026-03", "B-2026-000123", "B-2026-000123 2026-03\r\nBcc: x"):
        with pytest.raises(ValueError):
            digest_mail(date(2026, 4, 4), [("dispute_rejected", ref)])
