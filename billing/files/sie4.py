"""SIE 4 (type 4, transactions) for the finance system: one #VER per buyer–provider pair.

Format per the SIE 4B specification: #FORMAT PC8 means IBM code page 437; fields are
separated by spaces, text in quotes with \\" for a quote; object lists in braces. Each
voucher debits the buyer's cost account on the buyer's cost centre and credits the
provider's revenue account on the provider's cost centre, line by line, so it balances to
zero and every amount names its booking. A month closed with the accounting dimensions
(`activity_codes` given) also declares dimension 20, the activity code (verksamhet), with an
#OBJEKT per code, and puts the line's activity code beside its cost centre on both #TRANS
rows; a month closed before them is written exactly as it always was. Text fields go through marketplace.kernel.spreadsheet.text_cell
(finance systems export them to spreadsheets), amounts are numbers. Pure: lines in, bytes out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import BinaryIO

from billing import money
from billing.files import FileHeader
from billing.lines import Line
from billing.periods import bounds
from marketplace.kernel.clock import STOCKHOLM
from marketplace.kernel.spreadsheet import text_cell

DIMENSION = 1  # SIE's reserved dimension 1: kostnadsställe (the city's ansvar)
ACTIVITY_DIMENSION = 20  # SIE leaves 20 and up to the user: the city's verksamhetskod
SERIES = "I"
COST_ACCOUNT_NAME = "Interna köp av arbetsträningsplatser"
REVENUE_ACCOUNT_NAME = "Interna intäkter för arbetsträningsplatser"
EOL = "\r\n"


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@lru_cache(maxsize=4096)
def _quote_cached(value: str) -> str:
    return quote(value)


def quote(value: str) -> str:
    """A SIE text field: always quoted, backslash and quote escaped, control characters dropped,
    and never the start of a spreadsheet formula."""
    cleaned = text_cell(_CONTROL.sub("", str(value)))
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ymd(day) -> str:
    return day.strftime("%Y%m%d")


def _encode(text: str) -> bytes:
    return text.encode("cp437", errors="replace")


def _objects(centre: str, activity: str) -> str:
    """A #TRANS object list: the cost centre, and the activity code when there is one."""
    objects = f"{DIMENSION} {_quote_cached(centre)}"
    if activity:
        objects += f" {ACTIVITY_DIMENSION} {_quote_cached(activity)}"
    return "{" + objects + "}"


def write_sie4_to(out: BinaryIO, header: FileHeader, lines: Iterable[Line], *,
                  accounts: dict[str, str], cost_centres: dict[str, str],
                  activity_codes: Mapping[str, str] | None = None) -> None:
    """Stream the SIE file; `lines` in file order (grouped by pair), `accounts` account→name,
    `cost_centres` centre→organisation name (every code the lines use), `activity_codes`
    programme code→activity code (None: the layout without dimensions)."""
    first, last = bounds(header.period)
    generated = header.closed_at.astimezone(STOCKHOLM).date()
    head = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        f"#PROGRAM {quote('Insatstorget')} {quote('1.0')}",
        f"#GEN {_ymd(generated)}",
        f"#FNAMN {quote(header.organisation_name)}",
        f"#RAR 0 {first.year}0101 {first.year}1231",
        f"#DIM {DIMENSION} {quote('Kostnadsställe')}",
    ]
    if activity_codes is not None:
        head.append(f"#DIM {ACTIVITY_DIMENSION} {quote('Verksamhet')}")
    head += [f"#OBJEKT {DIMENSION} {quote(code)} {quote(name)}" for code, name in sorted(cost_centres.items())]
    if activity_codes is not None:
        head += [f"#OBJEKT {ACTIVITY_DIMENSION} {quote(code)} {quote('Verksamhet ' + code)}"
                 for code in sorted(set(activity_codes.values()) - {""})]
    head += [f"#KONTO {account} {quote(name)}" for account, name in sorted(accounts.items())]
    out.write(_encode(EOL.join(head) + EOL))

    voucher_date, reg_date = _ymd(last), _ymd(generated)
    number, pair = 0, None
    buffer: list[str] = []
    for line in lines:
        if (line.buyer_code, line.provider_code) != pair:
            if pair is not None:
                buffer.append("}")
            pair = (line.buyer_code, line.provider_code)
            number += 1
            text = f"Internfakturering {header.period} köpare {line.buyer_code} säljare {line.provider_code}"
            buffer.append(f"#VER {quote(SERIES)} {number} {voucher_date} {quote(text)} {reg_date}")
            buffer.append("{")
        amount = money.format_amount(line.amount_ore)
        credit = money.format_amount(-line.amount_ore)
        note = quote(line.booking_ref + (f" rättelse {line.corrects_period}" if line.corrects_period else ""))
        if activity_codes is None:
            buyer_objects = f"{{{DIMENSION} {_quote_cached(line.buyer_cost_centre)}}}"
            provider_objects = f"{{{DIMENSION} {_quote_cached(line.provider_cost_centre)}}}"
        else:
            activity = activity_codes.get(line.programme_code, "")
            buyer_objects = _objects(line.buyer_cost_centre, activity)
            provider_objects = _objects(line.provider_cost_centre, activity)
        buffer.append(f"#TRANS {line.buyer_cost_account} {buyer_objects} {amount} {voucher_date} {note}")
        buffer.append(f"#TRANS {line.provider_revenue_account} {provider_objects} {credit} {voucher_date} {note}")
        if len(buffer) >= 4000:
            out.write(_encode(EOL.join(buffer) + EOL))
            buffer = []
    if pair is not None:
        buffer.append("}")
    if buffer:
        out.write(_encode(EOL.join(buffer) + EOL))


def chart_of(lines: Iterable[Line]) -> tuple[dict[str, str], dict[str, str]]:
    """Accounts and cost centres used by lines in memory; same choice as chart_from_rows."""
    lines = list(lines)
    return chart_from_rows(
        {line.buyer_cost_account for line in lines}, {line.provider_revenue_account for line in lines},
        [(line.buyer_cost_centre, line.buyer_name) for line in lines]
        + [(line.provider_cost_centre, line.provider_name) for line in lines],
    )


def chart_from_rows(cost_accounts: set[str], revenue_accounts: set[str],
                    centres: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """Name every account (a cost name wins if an account is both) and every cost centre
    (the alphabetically first organisation name using it), deterministically."""
    accounts = {account: REVENUE_ACCOUNT_NAME for account in revenue_accounts}
    accounts.update({account: COST_ACCOUNT_NAME for account in cost_accounts})
    names: dict[str, str] = {}
    for code, name in centres:
        if code not in names or name < names[code]:
            names[code] = name
    return accounts, names


def write_sie4(header: FileHeader, lines: list[Line], *, activity_codes: Mapping[str, str] | None = None) -> bytes:
    accounts, centres = chart_of(lines)
    out = io.BytesIO()
    write_sie4_to(out, header, lines, accounts=accounts, cost_centres=centres, activity_codes=activity_codes)
    return out.getvalue()
