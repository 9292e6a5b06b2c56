"""A charge line's pricing rule in words. Lines store the rule as the close wrote it (English,
fixed forms, billing.pricing and billing.corrections); people read it in their own language:
the month page through the catalogue (_()), the XLSX file in Swedish. A rule of an unknown
form is shown as stored."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from billing import money

_AMOUNT = r"(-?\d+\.\d\d)"
_MONTH = re.compile(rf"month: {_AMOUNT} × (\d+)/(\d+) days, rounded half up")
_DAY = re.compile(rf"day: {_AMOUNT} × (\d+) days")
_PLACEMENT = re.compile(rf"placement: {_AMOUNT} once, in the month of the start date (\d{{4}}-\d\d-\d\d)")
_NOT_BILLABLE = re.compile(r"not billable now \(status \w+\)")
_CORRECTION = re.compile(rf"correction of (\d{{4}}-\d\d): now {_AMOUNT} \((.*)\) − billed {_AMOUNT}")
_CREDIT = re.compile(rf"credit of (\d{{4}}-\d\d): dispute (#\d+(?:, #\d+)*) accepted, {_AMOUNT}")  # billing.disputes.credits


def _ore(text: str) -> int:
    return money.parse_amount(text)


def swedish(text: str, **params) -> str:
    """The Swedish msgid itself, filled in (the XLSX's language)."""
    return text % params if params else text


def xlsx_amount(amount_ore: int) -> str:
    return f"{money.format_decimal_comma(amount_ore)} kr"


def describe(rule: str, *, _: Callable[..., str] = swedish, amount: Callable[[int], str] = xlsx_amount,
             day: Callable[[date], str] = date.isoformat) -> str:
    """`rule` in words: `_` translates (gettext), `amount` formats öre, `day` a date."""
    if found := _MONTH.fullmatch(rule):
        return _("månad: %(price)s × %(days)s/%(month_days)s dagar, avrundat till hela ören",
                 price=amount(_ore(found[1])), days=found[2], month_days=found[3])
    if found := _DAY.fullmatch(rule):
        return _("dag: %(price)s × %(days)s dagar", price=amount(_ore(found[1])), days=found[2])
    if found := _PLACEMENT.fullmatch(rule):
        return _("placering: %(price)s en gång, i startdatumets månad (start %(start)s)",
                 price=amount(_ore(found[1])), start=day(date.fromisoformat(found[2])))
    if _NOT_BILLABLE.fullmatch(rule):
        return _("debiteras inte nu")
    if found := _CORRECTION.fullmatch(rule):
        return _("rättelse av %(month)s: nu %(now)s (%(rule)s) − fakturerat %(billed)s", month=found[1],
                 now=amount(_ore(found[2])), rule=describe(found[3], _=_, amount=amount, day=day),
                 billed=amount(_ore(found[4])))
    if found := _CREDIT.fullmatch(rule):
        return _("kreditering av %(month)s: tvist %(disputes)s godkänd, %(amount)s", month=found[1],
                 disputes=found[2], amount=amount(_ore(found[3])))
    return rule
