"""Organisations side by side as buyers: how fast, how often refused, how well, at what cost.

For each buying organisation (and the whole city as the reference) over a period:
- placements started: approved, active or ended placements whose start date is in the period;
- requests: places requested in the period (created on a day in the period, any status), and
  the share of them refused (rejected) or expired;
- median days from request to decision (approved or rejected) and from request to start
  (placements that use a place), counted in whole calendar days (UTC dates);
- share of the period's ended placements that went to work or studies (stats/outcomes.py);
- cost per placement-month: what the period's bought placements cost under billing's rules
  (prices agreed on each placement, the same sums as the money table) divided by the
  placement-months they used in the period (days used / days in that month, summed).
  Statistics may not read billing's closed lines (import contracts), so this is the agreed
  price, not the invoiced amount; internal placements (buyer = provider) are left out.

Medians are computed in SQL (row_number over each organisation) on both engines. Figures
about people are suppressed like every other statistic, also across organisations: the city
is each column's total, so where one organisation's count is hidden another is too; money is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import Date, and_, case, cast, distinct, func, select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace.bookings.public import Booking, BookingStatus
from marketplace.stats import outcomes, queries
from marketplace.stats.suppression import Figure, is_small, suppress_table

REFUSED_OR_EXPIRED = (BookingStatus.REJECTED.value, BookingStatus.EXPIRED.value)
CITY = 0  # the reference row's key


@dataclass(frozen=True)
class BuyerRow:
    organisation_id: int  # CITY for the reference row
    code: str
    name: str
    placements_started: int | None
    requests: int | None
    median_days_to_decision: Decimal | None
    median_days_to_start: Decimal | None
    refused_or_expired_share: Decimal | None
    work_or_studies_share: Decimal | None
    cost_per_placement_month: Decimal | None


SORT_KEYS = ("organisation", "placements_started", "requests", "median_days_to_decision", "median_days_to_start",
             "refused_or_expired_share", "work_or_studies_share", "cost_per_placement_month")


def _day(session: Session, column):
    """A timestamp's calendar date (UTC) as SQL on both engines."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return cast(func.timezone("UTC", column), Date)


def _grouped(columns, group, query_from):
    if group is None:
        return query_from(*columns)
    return query_from(group, *columns).group_by(group)


def _keyed(session: Session, query, grouped: bool) -> dict[int, tuple]:
    return {(row[0] if grouped else CITY): tuple(row[1:] if grouped else row) for row in session.execute(query)}


def _median(session: Session, value, condition, group) -> dict[int, Decimal]:
    """The median of `value` over the bookings meeting `condition`, per group (or the city)."""
    partition = [group] if group is not None else []
    number = func.row_number().over(partition_by=partition, order_by=value).label("rn")
    count = func.count().over(partition_by=partition).label("n")
    keys = [group.label("g")] if group is not None else []
    ranked = select(*keys, value.label("v"), number, count).select_from(Booking).where(condition).subquery()
    middle = and_(ranked.c.rn * 2 >= ranked.c.n, ranked.c.rn * 2 <= ranked.c.n + 2)
    if group is None:
        query = select(func.sum(ranked.c.v), func.count()).where(middle)
        rows = [(CITY, *session.execute(query).one())]
    else:
        query = select(ranked.c.g, func.sum(ranked.c.v), func.count()).where(middle).group_by(ranked.c.g)
        rows = session.execute(query).all()
    return {g: Decimal(int(total)) / Decimal(n) for g, total, n in rows if n}


def _figures(session: Session, scope: queries.Scope, group) -> dict[int, dict]:
    """Every figure but cost for each group, before suppression."""
    person = queries.person_key()
    start, end = queries.day_start(scope.from_date), queries.day_start(scope.to_date + timedelta(days=1))
    requested = and_(Booking.created_at >= start, Booking.created_at < end)
    started = and_(Booking.status.in_(queries.USED_STATUSES), Booking.start_date.between(scope.from_date, scope.to_date))
    refused = Booking.status.in_(REFUSED_OR_EXPIRED)
    decided = Booking.decided_at.is_not(None)
    used = Booking.status.in_(queries.USED_STATUSES)

    def from_bookings(*columns):
        return select(*columns).select_from(Booking)

    figures: dict[int, dict] = {}
    counts = _grouped([func.count(), func.count(distinct(person))], group, from_bookings).where(started)
    for key, (n, people) in _keyed(session, counts, group is not None).items():
        figures.setdefault(key, {})["started"] = Figure(n, people)
    asked = _grouped([func.count(), func.count(distinct(person)),
                      func.count(case((refused, 1))), func.count(distinct(case((refused, person)))),
                      func.count(distinct(case((decided, person)))), func.count(distinct(case((used, person))))],
                     group, from_bookings).where(requested)
    for key, (n, people, n_refused, refused_people, decided_people, used_people) in _keyed(
            session, asked, group is not None).items():
        figures.setdefault(key, {}).update(requests=Figure(n, people), refused=Figure(n_refused, refused_people),
                                           decided_people=decided_people, used_people=used_people)
    request_day = _day(session, Booking.created_at)
    to_decision = queries.days_between(session, _day(session, Booking.decided_at), request_day)
    to_start = queries.days_between(session, Booking.start_date, request_day)
    for key, median in _median(session, to_decision, and_(requested, decided), group).items():
        figures.setdefault(key, {})["decision_days"] = median
    for key, median in _median(session, to_start, and_(requested, used), group).items():
        figures.setdefault(key, {})["start_days"] = median
    ended = queries.ended_outcomes(session, scope, by=group)
    per_group: dict[int, list] = {}
    for row in ended:
        key, fact = (row[0], row[1:]) if group is not None else (CITY, row)
        per_group.setdefault(key, []).append(fact)
    for key, facts in per_group.items():
        by_group, total = outcomes.group_figures(facts)
        figures.setdefault(key, {}).update(outcomes=outcomes.summarise(facts, scope.from_date, scope.to_date),
                                           ended=total, work_or_studies=by_group["work_or_studies"])
    return figures


COUNTED = ("started", "requests", "refused", "ended", "work_or_studies")


def _hidden_across(per_buyer: dict[int, dict], city: dict) -> dict[int, set[str]]:
    """Which counts of each buyer are hidden, column by column with the city as the column's
    total: a small group, and where exactly one buyer's count is hidden, the smallest other
    (or the city's), so that no hidden count is the city's minus the shown ones."""
    hidden: dict[int, set[str]] = {key: set() for key in per_buyer}
    zero = Figure(0, 0)
    for measure in COUNTED:
        cells = {(key, measure): figure.get(measure, zero) for key, figure in per_buyer.items()}
        table = suppress_table(cells, {key: cell for (key, _), cell in cells.items()}, {measure: city.get(measure, zero)},
                               city.get(measure, zero))
        for (key, _), value in table.cells.items():
            if value is None:
                hidden[key].add(measure)
        if table.col_totals[measure] is None:
            hidden.setdefault(CITY, set()).add(measure)
    return hidden


def _costs(session: Session, scope: queries.Scope) -> dict[int, tuple[Decimal, Decimal]]:
    """(amount in SEK, placement-months) per buying organisation, and for the city."""
    totals: dict[int, list[Decimal]] = {}
    for _month, dim, buyer, _b, _s, fixed_ore, monthly_ore, days in queries.charge_rows(
            session, scope, Booking.buyer_organisation_id):
        months = Decimal(int(days or 0)) / Decimal(int(dim))
        amount = queries.charge_amount(dim, fixed_ore, monthly_ore)
        for key in (buyer, CITY):
            total = totals.setdefault(key, [Decimal(0), Decimal(0)])
            total[0] += amount
            total[1] += months
    return {key: (amount, months) for key, (amount, months) in totals.items()}


def _row(key: int, code: str, name: str, figure: dict, cost: tuple[Decimal, Decimal] | None,
         hidden: set[str]) -> BuyerRow:
    def count(measure: str) -> int | None:
        value = figure.get(measure, Figure(0, 0))
        return None if measure in hidden or is_small(value.people) else value.count

    requests = count("requests")
    summary = figure.get("outcomes")
    work_share = summary.work_or_studies_share if summary else None
    if count("ended") is None or count("work_or_studies") is None:
        work_share = None
    decision = None if is_small(figure.get("decided_people", 0)) else figure.get("decision_days")
    start = None if is_small(figure.get("used_people", 0)) else figure.get("start_days")
    per_month = cost[0] / cost[1] if cost and cost[1] else None
    return BuyerRow(key, code, name, count("started"), requests, decision, start,
                    outcomes.share(count("refused"), requests), work_share, per_month)


def compare_buyers(session: Session, scope: queries.Scope, *, city_name: str) -> tuple[BuyerRow, list[BuyerRow]]:
    """The city's reference row and one row per organisation that bought or asked in the period.

    Always over every buying organisation (the scope's organisation does not narrow it)."""
    scope = queries.Scope(scope.from_date, scope.to_date)
    city = _figures(session, scope, None).get(CITY, {})
    per_buyer = _figures(session, scope, Booking.buyer_organisation_id)
    costs = _costs(session, scope)
    ids = set(per_buyer) | (set(costs) - {CITY})
    names = {row.id: row for row in session.execute(
        select(Organisation.id, Organisation.code, Organisation.name).where(Organisation.id.in_(ids)))} if ids else {}
    hidden = _hidden_across(per_buyer, city)
    rows = [_row(key, names[key].code, names[key].name, per_buyer.get(key, {}), costs.get(key), hidden.get(key, set()))
            for key in ids if key in names]
    return _row(CITY, "", city_name, city, costs.get(CITY), hidden.get(CITY, set())), rows


def sort_rows(rows: list[BuyerRow], key: str, descending: bool) -> list[BuyerRow]:
    """Sort by one column; hidden or missing figures always last, ties by name."""
    if key == "organisation":
        return sorted(rows, key=lambda r: (r.name.casefold(), r.code), reverse=descending)
    present = [r for r in rows if getattr(r, key) is not None]
    absent = [r for r in rows if getattr(r, key) is None]
    by_name = sorted(present, key=lambda r: (r.name.casefold(), r.code))
    ordered = sorted(by_name, key=lambda r: getattr(r, key), reverse=descending)
    return ordered + sorted(absent, key=lambda r: (r.name.casefold(), r.code))
