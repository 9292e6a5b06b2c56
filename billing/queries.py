"""Reads for pages, API and CLI: a month's lines and totals, the list of months, the ledger.

A closed month is read from its stored lines; an open month is previewed by computing
exactly what closing it now would write. Finance sees refs, organisations and amounts,
never participant data (nothing here reads it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from billing.lines import Line, PairTotal, closed_pair_totals, iter_closed_lines, pair_totals
from billing.models import BillingPeriod, ChargeLine, PeriodStatus, TransferFile
from billing.month_close import compute_lines, compute_pair_lines, preview_month_totals, preview_pair_totals
from billing.periods import has_ended, period_of, previous_period
from billing.storage import FORMATS
from catalog.models import Organisation
from marketplace.kernel.paging import last_page


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


# --- the month page: totals per organisation from aggregates, lines a page at a time ----------

MATRIX_LIMIT = 20  # the buyer × provider matrix is shown only up to this many buyers and providers


@dataclass(frozen=True)
class OrgTotal:
    """One organisation's side of a month: what it bought (or sold), over how many lines and partners."""

    code: str
    name: str
    amount_ore: int
    line_count: int
    partner_count: int


@dataclass(frozen=True)
class Paged:
    items: list
    total: int
    page: int  # clamped to the pages there are
    per_page: int
    amount_ore: int = 0  # over every page
    line_count: int = 0

    @property
    def pages(self) -> int:
        return last_page(self.total, self.per_page)


@dataclass
class MonthSummary:
    """A month's figures without its lines: stored ones (closed) or what closing now would write (open)."""

    period: str
    status: str
    total_ore: int | None  # None: an open month asked without its totals (a drill-down)
    line_count: int | None
    buyer_count: int | None
    provider_count: int | None
    closed_at: datetime | None = None
    closed_by_name: str | None = None
    has_ended: bool = False
    files: list[TransferFile] = field(default_factory=list)
    preview: list[PairTotal] | None = None  # an open month's pair totals, computed once per request

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED.value

    @property
    def small(self) -> bool:
        return self.buyer_count is not None and self.buyer_count <= MATRIX_LIMIT and self.provider_count <= MATRIX_LIMIT


def _clamp(page: int, per_page: int, total: int) -> int:
    return max(1, min(page, last_page(total, per_page)))


def _files(session: Session, period: str) -> list[TransferFile]:
    files = list(session.execute(select(TransferFile).where(TransferFile.period == period)).scalars())
    return sorted(files, key=lambda f: FORMATS.index(f.format) if f.format in FORMATS else 99)


def month_summary(session: Session, period: str, *, today: date, totals: bool = True) -> MonthSummary:
    """Total, line count and how many buyers and providers: from charge_line's aggregates when the
    month is closed; from preview_pair_totals (no lines built) when it is open, unless `totals`
    is False (a drill-down into one organisation need not price the whole month)."""
    row = get_period_row(session, period)
    if row is not None and row.status == PeriodStatus.CLOSED.value:
        buyers, providers = session.execute(
            select(func.count(distinct(ChargeLine.buyer_code)), func.count(distinct(ChargeLine.provider_code)))
            .where(ChargeLine.period == period)).one()
        return MonthSummary(period, row.status, row.total_ore, row.line_count, buyers, providers, row.closed_at,
                            row.closed_by_name, True, _files(session, period))
    if not totals:
        return MonthSummary(period, PeriodStatus.OPEN.value, None, None, None, None, has_ended=has_ended(period, today))
    pairs = preview_pair_totals(session, period)
    return MonthSummary(period, PeriodStatus.OPEN.value, sum(t.amount_ore for t in pairs), sum(t.line_count for t in pairs),
                        len({t.buyer_code for t in pairs}), len({t.provider_code for t in pairs}),
                        has_ended=has_ended(period, today), preview=pairs)


def pair_matrix(session: Session, summary: MonthSummary) -> dict[tuple[str, str], PairTotal] | None:
    """Every pair's total keyed by (buyer, provider), or None when the month is too wide to show as a matrix."""
    if not summary.small:
        return None
    pairs = summary.preview if summary.preview is not None else closed_pair_totals(session, summary.period)
    return {(t.buyer_code, t.provider_code): t for t in pairs}


def org_totals(session: Session, summary: MonthSummary, *, side: str, buyer: str | None = None,
               provider: str | None = None, page: int = 1, per_page: int = 50) -> Paged:
    """One page of buyers (side='buyer') or providers (side='provider') with their totals, by code,
    optionally only the ones trading with `buyer` or `provider`."""
    if side not in ("buyer", "provider"):
        raise ValueError(side)
    if not summary.is_closed:
        pairs = summary.preview
        if pairs is None:  # only this organisation's lines are computed
            pairs = _scope_pairs(session, summary.period, buyer, provider)
        acc: dict[str, list] = {}
        for t in pairs:
            if (buyer and t.buyer_code != buyer) or (provider and t.provider_code != provider):
                continue
            code, name = (t.buyer_code, t.buyer_name) if side == "buyer" else (t.provider_code, t.provider_name)
            entry = acc.setdefault(code, [name, 0, 0, 0])
            entry[1] += t.amount_ore
            entry[2] += t.line_count
            entry[3] += 1
        page = _clamp(page, per_page, len(acc))
        codes = sorted(acc)[(page - 1) * per_page:page * per_page]
        return Paged([OrgTotal(c, acc[c][0], acc[c][1], acc[c][2], acc[c][3]) for c in codes], len(acc), page, per_page,
                     sum(v[1] for v in acc.values()), sum(v[2] for v in acc.values()))
    code, name, other = ((ChargeLine.buyer_code, ChargeLine.buyer_name, ChargeLine.provider_code) if side == "buyer"
                         else (ChargeLine.provider_code, ChargeLine.provider_name, ChargeLine.buyer_code))
    where = [ChargeLine.period == summary.period]
    if buyer:
        where.append(ChargeLine.buyer_code == buyer)
    if provider:
        where.append(ChargeLine.provider_code == provider)
    total, amount, lines = session.execute(
        select(func.count(distinct(code)), func.sum(ChargeLine.amount_ore), func.count()).where(*where)).one()
    page = _clamp(page, per_page, total)
    rows = session.execute(
        select(code, func.min(name), func.sum(ChargeLine.amount_ore), func.count(), func.count(distinct(other)))
        .where(*where).group_by(code).order_by(_c(session, code)).limit(per_page).offset((page - 1) * per_page))
    return Paged([OrgTotal(r[0], r[1], int(r[2] or 0), int(r[3]), int(r[4])) for r in rows], total, page, per_page,
                 int(amount or 0), int(lines))


def _scope_pairs(session: Session, period: str, buyer: str | None, provider: str | None) -> list[PairTotal]:
    ids = dict(session.execute(select(Organisation.code, Organisation.id)
                               .where(Organisation.code.in_([c for c in (buyer, provider) if c]))).all())
    if (not buyer and not provider) or (buyer and buyer not in ids) or (provider and provider not in ids):
        return []
    return pair_totals(compute_pair_lines(session, period, buyer_id=ids.get(buyer), provider_id=ids.get(provider)))


def _c(session: Session, column):
    """Byte order on every engine, as billing.lines orders lines (and as Python sorts a preview)."""
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


def is_closed(session: Session, period: str) -> bool:
    row = get_period_row(session, period)
    return row is not None and row.status == PeriodStatus.CLOSED.value


def lines_page(session: Session, period: str, *, closed: bool, buyer: str | None = None, provider: str | None = None,
               page: int = 1, per_page: int = 100) -> Paged:
    """One page of the lines of a buyer, a provider or a pair, in file order (with their total amount)."""
    if not buyer and not provider:
        raise ValueError("name a buyer, a provider or both")
    if not closed:
        ids = dict(session.execute(select(Organisation.code, Organisation.id)
                                   .where(Organisation.code.in_([c for c in (buyer, provider) if c]))).all())
        if (buyer and buyer not in ids) or (provider and provider not in ids):
            return Paged([], 0, 1, per_page)
        lines = sorted(compute_pair_lines(session, period, buyer_id=ids.get(buyer), provider_id=ids.get(provider)),
                       key=lambda line: line.sort_key)
        page = _clamp(page, per_page, len(lines))
        return Paged(lines[(page - 1) * per_page:page * per_page], len(lines), page, per_page,
                     sum(line.amount_ore for line in lines), len(lines))
    where = [ChargeLine.period == period]
    if buyer:
        where.append(ChargeLine.buyer_code == buyer)
    if provider:
        where.append(ChargeLine.provider_code == provider)
    count, amount = session.execute(select(func.count(), func.sum(ChargeLine.amount_ore)).where(*where)).one()
    page = _clamp(page, per_page, count)
    lines = list(iter_closed_lines(session, period, buyer=buyer, provider=provider,
                                   offset=(page - 1) * per_page, limit=per_page))
    return Paged(lines, count, page, per_page, int(amount or 0), count)


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    status: str
    total_ore: int | None
    line_count: int | None
    closed_at: datetime | None
    has_ended: bool


def list_periods(session: Session, *, today: date, months_back: int = 12) -> list[PeriodSummary]:
    """Closed months and the recent open ones (the current month and `months_back` before), newest
    first; an open month with what closing it now would write (its total and lines)."""
    closed = {row.period: row for row in session.execute(select(BillingPeriod)).scalars()}
    wanted = {period_of(today)}
    current = period_of(today)
    for _ in range(months_back):
        current = previous_period(current)
        wanted.add(current)
    wanted |= set(closed)
    is_open = [p for p in wanted if p not in closed or closed[p].status != PeriodStatus.CLOSED.value]
    previews = preview_month_totals(session, sorted(is_open))
    result = []
    for period in sorted(wanted, reverse=True):
        row = closed.get(period)
        if row is not None and row.status == PeriodStatus.CLOSED.value:
            result.append(PeriodSummary(period, row.status, row.total_ore, row.line_count, row.closed_at, True))
        else:
            total, lines = previews[period]
            result.append(PeriodSummary(period, PeriodStatus.OPEN.value, total, lines, None, has_ended(period, today)))
    return result


def booking_charge_lines(session: Session, booking_id: int) -> list[ChargeLine]:
    """Every stored line of one booking, oldest month first."""
    return list(session.execute(select(ChargeLine).where(ChargeLine.booking_id == booking_id)
                                .order_by(ChargeLine.period, ChargeLine.kind, ChargeLine.corrects_period)).scalars())
