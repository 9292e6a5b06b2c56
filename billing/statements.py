"""An organisation's statement for one month: what it bought (as buyer) and sold (as provider).

A closed month is read from its stored lines; an open month is previewed by the same code
that closing would run (month_close.compute_pair_lines), so the preview's lines are the ones
the close will write. The statement's files are the month file's CSV dialect and XLSX layout,
restricted to the organisation's lines (purchases first, then sales, each in file order), with
the month file's accounting dimension columns and values (billing.dimensions.file_codes: a
closed month's frozen activity codes, an open month's as closing it now would freeze them).
Made on request and not stored: the month's own files stay the record.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing import dimensions
from billing.files import FileHeader
from billing.files.csv_excel import write_csv_to
from billing.files.xlsx import write_xlsx_to
from billing.lines import Line, iter_closed_lines, pair_totals
from billing.models import BillingPeriod, PeriodStatus
from billing.month_close import compute_pair_lines
from catalog.models import Organisation


@dataclass(frozen=True)
class Statement:
    period: str
    organisation_id: int
    organisation_code: str
    organisation_name: str
    status: str
    closed_at: datetime | None
    purchases: list[Line]
    sales: list[Line]

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED.value

    @property
    def purchases_total_ore(self) -> int:
        return sum(line.amount_ore for line in self.purchases)

    @property
    def sales_total_ore(self) -> int:
        return sum(line.amount_ore for line in self.sales)

    @property
    def net_ore(self) -> int:
        """Sales minus purchases: positive when the organisation receives more than it pays."""
        return self.sales_total_ore - self.purchases_total_ore


def find_organisation(session: Session, code: str) -> Organisation | None:
    return session.execute(select(Organisation).where(Organisation.code == code)).scalar_one_or_none()


def statement(session: Session, period: str, organisation: Organisation) -> Statement:
    """The organisation's lines of `period` (a valid 'YYYY-MM'), stored or as closing now would write them."""
    row = session.get(BillingPeriod, period)
    if row is not None and row.status == PeriodStatus.CLOSED.value:
        purchases = list(iter_closed_lines(session, period, buyer=organisation.code))
        sales = list(iter_closed_lines(session, period, provider=organisation.code))
        return Statement(period, organisation.id, organisation.code, organisation.name, row.status, row.closed_at,
                         purchases, sales)
    purchases = sorted(compute_pair_lines(session, period, buyer_id=organisation.id), key=lambda line: line.sort_key)
    sales = sorted(compute_pair_lines(session, period, provider_id=organisation.id), key=lambda line: line.sort_key)
    return Statement(period, organisation.id, organisation.code, organisation.name, PeriodStatus.OPEN.value, None,
                     purchases, sales)


def statement_filename(result: Statement, fmt: str) -> str:
    return f"insatstorget-{result.period}-{result.organisation_code}.{fmt}"


def statement_file(session: Session, result: Statement, fmt: str, *, now: datetime) -> bytes:
    """The statement as CSV (the month file's dialect) or XLSX, in the month file's layout; an
    open month is dated `now`."""
    header = FileHeader(period=result.period, closed_at=result.closed_at or now)
    lines = result.purchases + result.sales
    codes = dimensions.file_codes(session, result.period, {line.programme_code for line in lines})
    out = io.BytesIO()
    if fmt == "csv":
        write_csv_to(out, header, lines, activity_codes=codes)
    elif fmt == "xlsx":
        write_xlsx_to(out, header, lines, pair_totals(lines), activity_codes=codes)
    else:
        raise ValueError(fmt)
    return out.getvalue()
