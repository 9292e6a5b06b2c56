"""Accounting codes per organisation: their formats, checked on every edit and at every close.

DOMAIN.md §3.9: the seeds found costs booked under inconsistent codes, so a line can only
carry the organisation's validated codes, never free text typed at booking time. Pure.
"""

from __future__ import annotations

import re

from catalog.rules import ACTIVITY_CODE_PATTERN

ACCOUNT = re.compile(r"^[0-9]{4,6}$")  # SIE #KONTO numbers are digits; BAS uses four
COST_CENTRE = re.compile(r"^[0-9A-Za-z]{1,20}$")

ACCOUNT_HELP = "4–6 digits, e.g. 7691"
COST_CENTRE_HELP = "1–20 letters or digits, e.g. 1100"
ACTIVITY_CODE = ACTIVITY_CODE_PATTERN  # verksamhetskod: the catalogue's rule for a programme's own
ACTIVITY_CODE_HELP = "3–10 digits, e.g. 5700"


def account_error(value: str | None) -> str | None:
    """Why `value` is not a valid SIE account number, or None."""
    if not value or not ACCOUNT.match(value):
        return f"An account number is {ACCOUNT_HELP}."
    return None


def cost_centre_error(value: str | None) -> str | None:
    """The cost centre is the organisation's responsibility code (ansvar) in the finance files."""
    if not value or not COST_CENTRE.match(value):
        return f"A cost centre is {COST_CENTRE_HELP}."
    return None


def activity_code_error(value: str | None) -> str | None:
    """Why `value` is not a valid activity code (verksamhetskod), or None."""
    if not value or not ACTIVITY_CODE.match(value):
        return f"An activity code is {ACTIVITY_CODE_HELP}."
    return None
