"""A billing line as every reader sees it (API, pages, files), read from the rows or previewed.

Lines of a closed month come from charge_line, ordered for the files; an open month's lines
are computed now by month_close.compute_lines and never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.models import ChargeLine

# The one order of lines everywhere: pair, booking, the month's charge before corrections.
ORDER = (ChargeLine.buyer_code, ChargeLine.provider_code, ChargeLine.booking_ref, ChargeLine.kind, ChargeLine.corrects_period)


def booking_columns(record) -> dict:
    """The booking, programme and both parties' columns every line of one booking carries
    (record: marketplace.bookings.billable.BillableBooking)."""
    buyer, provider = record.buyer, record.provider
    return dict(
        booking_id=record.booking_id, booking_ref=record.ref,
        programme_code=record.programme_code, programme_name=record.programme_name,
        buyer_organisation_id=buyer.id, buyer_code=buyer.code, buyer_name=buyer.name,
        buyer_cost_centre=buyer.cost_centre, buyer_cost_account=buyer.cost_account,
        provider_organisation_id=provider.id, provider_code=provider.code, provider_name=provider.name,
        provider_cost_centre=provider.cost_centre, provider_revenue_account=provider.revenue_account,
    )


class Line(NamedTuple):
    """A NamedTuple, not a dataclass: a million of them are built from rows when a month's files are made."""

    period: str
    kind: str
    corrects_period: str  # '' for the month's own charge
    booking_id: int
    booking_ref: str
    programme_code: str
    programme_name: str
    buyer_organisation_id: int
    buyer_code: str
    buyer_name: str
    buyer_cost_centre: str
    buyer_cost_account: str
    provider_organisation_id: int
    provider_code: str
    provider_name: str
    provider_cost_centre: str
    provider_revenue_account: str
    from_date: date
    to_date: date
    days: int
    unit_price_ore: int
    unit: str
    amount_ore: int
    rule: str

    @property
    def sort_key(self) -> tuple:
        return (self.buyer_code, self.provider_code, self.booking_ref, self.kind, self.corrects_period)

    @property
    def correction_of(self) -> str | None:
        return self.corrects_period or None

    def as_row(self) -> dict:
        return self._asdict()


@dataclass(frozen=True)
class PairTotal:
    buyer_code: str
    buyer_name: str
    provider_code: str
    provider_name: str
    amount_ore: int
    line_count: int


_FIELDS = Line._fields


def _order(session: Session) -> list:
    """ORDER in byte order on every engine (PostgreSQL's locale collation would differ from
    SQLite's and from Python's sort of a preview)."""
    if session.get_bind().dialect.name == "postgresql":
        return [column.collate("C") for column in ORDER]
    return list(ORDER)


def iter_closed_lines(session: Session, period: str, *, buyer: str | None = None, provider: str | None = None,
                      organisation: str | None = None, batch: int = 5000, offset: int = 0,
                      limit: int | None = None) -> Iterator[Line]:
    """Stream a closed month's lines in file order (server-side cursor; memory stays flat);
    offset and limit give one page of them."""
    columns = [getattr(ChargeLine, name) for name in _FIELDS]
    stmt = select(*columns).where(ChargeLine.period == period)
    if buyer:
        stmt = stmt.where(ChargeLine.buyer_code == buyer)
    if provider:
        stmt = stmt.where(ChargeLine.provider_code == provider)
    if organisation:
        stmt = stmt.where((ChargeLine.buyer_code == organisation) | (ChargeLine.provider_code == organisation))
    stmt = stmt.order_by(*_order(session))
    if offset or limit is not None:
        stmt = stmt.offset(offset).limit(limit)
    with session.connection().execute(stmt.execution_options(yield_per=batch)) as rows:  # closed if left early
        for row in rows:
            yield Line(*row)


def closed_pair_totals(session: Session, period: str) -> list[PairTotal]:
    """Totals per buyer–provider pair of a closed month (sums of the rounded lines)."""
    rows = session.execute(
        select(ChargeLine.buyer_code, func.min(ChargeLine.buyer_name), ChargeLine.provider_code,
               func.min(ChargeLine.provider_name), func.sum(ChargeLine.amount_ore), func.count())
        .where(ChargeLine.period == period)
        .group_by(ChargeLine.buyer_code, ChargeLine.provider_code)
        .order_by(ChargeLine.buyer_code, ChargeLine.provider_code)
    )
    return [PairTotal(r[0], r[1], r[2], r[3], int(r[4] or 0), int(r[5])) for r in rows]


def pair_totals(lines: Iterable[Line]) -> list[PairTotal]:
    """Totals per buyer–provider pair of lines in memory (an open month's preview)."""
    acc: dict[tuple[str, str], list] = {}
    for line in lines:
        entry = acc.setdefault((line.buyer_code, line.provider_code), [line.buyer_name, line.provider_name, 0, 0])
        entry[2] += line.amount_ore
        entry[3] += 1
    return [PairTotal(b, v[0], p, v[1], v[2], v[3]) for (b, p), v in sorted(acc.items())]
