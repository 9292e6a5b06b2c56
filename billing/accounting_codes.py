"""Accounting codes per organisation: their formats, checked on every edit and at every close.

DOMAIN.md §3.9: the seeds found costs booked under inconsistent codes, so a line can only
carry the organisation's validated codes, never free text typed at booking time. Pure.
"""

from __future__ import annotations

import re

ACCOUNT = re.compile(r"^[0-9]{4,6}$")  # SIE #KONTO numbers are digits; BAS uses four
COST_CENTRE = re.compile(r"^[0-9A-Za-z]{1,20}$")

ACCOUNT_HELP = "4–6 digits, e.g. 7691"
COST_CENTRE_HELP = "1–20 letters or digits, e.g. 1100"


def account_error(value: str | None) -> str | None:
    """Why `value` is not a valid SIE account number, or None."""
    if not value or not ACCOUNT.match(value):
        return f"An account number is {ACCOUNT_HELP}."
    return None


def cost_centre_error(value: str | None) -> str | None:
    if not value or not COST_CENTRE.match(value):
        return f"A cost centre is {COST_CENTRE_HELP}."
    return None
