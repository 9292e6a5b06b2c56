"""Reads for pages, API and CLI: a month's lines and totals, the list of months, the ledger.

A closed month is read from its stored lines; an open month is previewed by computing
exactly what closing it now would write. Finance sees refs, organisations and amounts,
never participant data (nothing here reads it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.lines import Line, PairTotal, closed_pair_totals, iter_closed_lines, pair_totals
from billing.models import BillingPeriod, ChargeLine, PeriodStatus, TransferFile
from billing.month_close import compute_lines
from billing.periods import has_ended, period_of, previous_period
from billing.storage import FORMATS


@dataclass
class PeriodView:
    period: str
    status: str
    lines: list[Line]
    totals: list[PairTotal]
    total_ore: int
    closed_at: datetime | None = None
    closed_by_name: str | None = None
    has_ended: bool = False
    files: list[TransferFile] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED.value

    @property
    def buyers(self) -> list[tuple[str, str]]:
        return sorted({(t.buyer_code, t.buyer_name) for t in self.totals})

    @property
    def providers(self) -> list[tuple[str, str]]:
        return sorted({(t.provider_code, t.provider_name) for t in self.totals})

    def cell(self, buyer: str, provider: str) -> PairTotal | None:
        for total in self.totals:
            if total.buyer_code == buyer and total.provider_code == provider:
                return total
        return None

    def buyer_total(self, buyer: str) -> int:
        return sum(t.amount_ore for t in self.totals if t.buyer_code == buyer)

    def provider_total(self, provider: str) -> int:
        return sum(t.amount_ore for t in self.totals if t.provider_code == provider)


def get_period_row(session: Session, period: str) -> BillingPeriod | None:
    return session.get(BillingPeriod, period)


def period_view(session: Session, period: str, *, today: date, buyer: str | None = None,
                provider: str | None = None, organisation: str | None = None, with_lines: bool = True) -> PeriodView:
    """The month as stored (closed) or as closing it now would write it (open)."""
    row = get_period_row(session, period)
    if row is not None and row.status == PeriodStatus.CLOSED.value:
        lines = list(iter_closed_lines(session, period, buyer=buyer, provider=provider, organisation=organisation)) if with_lines else []
        files = list(session.execute(select(TransferFile).where(TransferFile.period == period)
                                     .order_by(TransferFile.format)).scalars())
        files.sort(key=lambda f: FORMATS.index(f.format) if f.format in FORMATS else 99)
        return PeriodView(period, row.status, lines, closed_pair_totals(session, period), row.total_ore,
                          row.closed_at, row.closed_by_name, True, files)
    every = sorted(compute_lines(session, period), key=lambda line: line.sort_key)
    totals = pair_totals(every)
    selected = [line for line in every
                if (not buyer or line.buyer_code == buyer) and (not provider or line.provider_code == provider)
                and (not organisation or organisation in (line.buyer_code, line.provider_code))]
    return PeriodView(period, PeriodStatus.OPEN.value, selected if with_lines else [], totals,
                      sum(t.amount_ore for t in totals), has_ended=has_ended(period, today))


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    status: str
    total_ore: int | None
    line_count: int | None
    closed_at: datetime | None
    has_ended: bool


def list_periods(session: Session, *, today: date, months_back: int = 12) -> list[PeriodSummary]:
    """Closed months and the recent open ones (the current month and `months_back` before), newest first."""
    closed = {row.period: row for row in session.execute(select(BillingPeriod)).scalars()}
    wanted = {period_of(today)}
    current = period_of(today)
    for _ in range(months_back):
        current = previous_period(current)
        wanted.add(current)
    wanted |= set(closed)
    result = []
    for period in sorted(wanted, reverse=True):
        row = closed.get(period)
        if row is not None and row.status == PeriodStatus.CLOSED.value:
            result.append(PeriodSummary(period, row.status, row.total_ore, row.line_count, row.closed_at, True))
        else:
            result.append(PeriodSummary(period, PeriodStatus.OPEN.value, None, None, None, has_ended(period, today)))
    return result


def booking_charge_lines(session: Session, booking_id: int) -> list[ChargeLine]:
    """Every stored line of one booking, oldest month first."""
    return list(session.execute(select(ChargeLine).where(ChargeLine.booking_id == booking_id)
                                .order_by(ChargeLine.period, ChargeLine.kind, ChargeLine.corrects_period)).scalars())
