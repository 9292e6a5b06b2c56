"""Every statistic, computed from booking rows with SQL aggregates (no per-booking Python loops).

Scope: a period [from_date, to_date] (inclusive) and optionally one organisation. With an
organisation, placements and outcomes count the bookings it bought or provided; occupancy
counts the programmes it provides; money splits into bought (it is the buyer) and sold (it
is the provider). Statuses follow DESIGN.md: approved, active and ended placements use places
and cost money; an organisation's placements with itself cost nothing. No participant data
leaves this module: people are only counted (distinct buyer + participant reference).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Integer, String, and_, case, cast, distinct, func, literal, or_, select, union_all
from sqlalchemy.orm import Session, aliased

from catalog.models import Category, Organisation, Programme, ProgrammeTargetGroup, TargetGroup
from marketplace.kernel import clock
from marketplace.bookings.public import Booking, BookingEvent, BookingStatus
from marketplace.followups.public import add_months

USED_STATUSES = (BookingStatus.APPROVED.value, BookingStatus.ACTIVE.value, BookingStatus.ENDED.value)


@dataclass(frozen=True)
class Scope:
    from_date: date
    to_date: date
    organisation_id: int | None = None
    programme_id: int | None = None  # one programme's placements only (its page's outcomes)

    @property
    def days(self) -> int:
        return (self.to_date - self.from_date).days + 1


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def days_between(session: Session, later, earlier):
    """later - earlier in whole days, as SQL that runs on SQLite and PostgreSQL."""
    if _is_sqlite(session):
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(later - earlier, Integer)


EPOCH = date(1970, 1, 1)


def day_number(session: Session, column):
    """Days since 1970-01-01 as an integer column, so date sums become integer arithmetic."""
    if _is_sqlite(session):
        return cast(func.julianday(column) - func.julianday(literal(EPOCH.isoformat())), Integer)
    return cast(column - literal(EPOCH), Integer)


def _least(session: Session, a, b):
    return func.min(a, b) if _is_sqlite(session) else func.least(a, b)


def _greatest(session: Session, a, b):
    return func.max(a, b) if _is_sqlite(session) else func.greatest(a, b)


def person_key():
    """A person is counted once per buying organisation's participant reference (never a name)."""
    return cast(Booking.buyer_organisation_id, String) + literal(":") + Booking.participant_reference


def _in_scope(scope: Scope):
    conditions = []
    if scope.organisation_id is not None:
        conditions.append(or_(Booking.buyer_organisation_id == scope.organisation_id,
                              Programme.organisation_id == scope.organisation_id))
    if scope.programme_id is not None:
        conditions.append(Booking.programme_id == scope.programme_id)
    return and_(*conditions) if conditions else literal(True)


def _bookings(*columns):
    return select(*columns).select_from(Booking).join(Programme, Programme.id == Booking.programme_id)


# --- placements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    count: int
    people: int


def placement_counts(session: Session, scope: Scope) -> dict[str, Counted]:
    """Placements started, active (any day in the period) and ended in the period."""
    started = and_(Booking.start_date >= scope.from_date, Booking.start_date <= scope.to_date)
    ended = and_(Booking.status == BookingStatus.ENDED.value, Booking.end_date <= scope.to_date)
    person = person_key()
    # One pass: every counted booking is active in the period; started and ended are subsets.
    row = session.execute(_bookings(
        func.count(), func.count(distinct(person)),
        func.count(case((started, 1))), func.count(distinct(case((started, person)))),
        func.count(case((ended, 1))), func.count(distinct(case((ended, person)))),
    ).where(_in_scope(scope), Booking.status.in_(USED_STATUSES), Booking.start_date <= scope.to_date,
            Booking.end_date >= scope.from_date)).one()
    return {"active": Counted(row[0], row[1]), "started": Counted(row[2], row[3]), "ended": Counted(row[4], row[5])}


# --- occupancy ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OccupancyRow:
    programme_id: int
    code: str
    name: str
    organisation_code: str
    capacity: int
    offered_days: int
    used_days: int

    @property
    def occupancy_percent(self) -> Decimal | None:
        if not self.offered_days:
            return None
        return Decimal(self.used_days * 100) / Decimal(self.offered_days)


def occupancy(session: Session, scope: Scope) -> list[OccupancyRow]:
    """Place-days used (approved/active/ended bookings, clipped to the period) against place-days
    offered (today's capacity x days in the period) per programme of the scope's provider."""
    first, last = literal(scope.from_date), literal(scope.to_date)
    used = days_between(session, _least(session, Booking.end_date, last), _greatest(session, Booking.start_date, first)) + 1
    used_sub = (select(Booking.programme_id.label("programme_id"), func.sum(used).label("used"))
                .where(Booking.status.in_(USED_STATUSES), Booking.start_date <= scope.to_date,
                       Booking.end_date >= scope.from_date)
                .group_by(Booking.programme_id).subquery())
    query = (select(Programme.id, Programme.code, Programme.name, Organisation.code, Programme.capacity,
                    func.coalesce(used_sub.c.used, 0))
             .join(Organisation, Organisation.id == Programme.organisation_id)
             .outerjoin(used_sub, used_sub.c.programme_id == Programme.id)
             .where(or_(Programme.status.in_(("published", "paused")), used_sub.c.used > 0))
             .order_by(Programme.name, Programme.id))
    if scope.organisation_id is not None:
        query = query.where(Programme.organisation_id == scope.organisation_id)
    return [OccupancyRow(pid, code, name, org, capacity, capacity * scope.days, int(used_days))
            for pid, code, name, org, capacity, used_days in session.execute(query)]


# --- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeCell:
    group: str
    outcome: str
    count: int
    people: int


def _ended_in_period(scope: Scope):
    return and_(Booking.status == BookingStatus.ENDED.value, Booking.end_date.between(scope.from_date, scope.to_date),
                _in_scope(scope))


@dataclass(frozen=True)
class EndedFact:
    """Ended placements in the period for one (programme, outcome, person): one scan serves
    every outcome table and the average length, with people counted exactly."""

    programme_id: int
    outcome: str
    person: str
    placements: int
    days: int


@dataclass
class EndedFacts:
    facts: list[EndedFact]
    category_of: dict[int, str]
    groups_of: dict[int, list[str]]
    labels: dict[str, dict[str, str]]


def ended_facts(session: Session, scope: Scope) -> EndedFacts:
    """Group the period's ended placements by programme, outcome and person in SQL (one pass),
    plus the small lookup tables that fold programmes into categories and target groups."""
    length = days_between(session, Booking.end_date, Booking.start_date) + 1
    outcome = func.coalesce(Booking.outcome, "other")
    person = person_key()
    rows = session.execute(_bookings(Booking.programme_id, outcome, person, func.count(), func.sum(length))
                           .where(_ended_in_period(scope)).group_by(Booking.programme_id, outcome, person)).all()
    facts = [EndedFact(pid, o, who, n, int(days)) for pid, o, who, n, days in rows]
    programme_ids = {f.programme_id for f in facts}
    category_of, names, groups_of = {}, {}, defaultdict(list)
    if programme_ids:
        for pid, category, name in session.execute(select(Programme.id, Programme.category_code, Programme.name)
                                                   .where(Programme.id.in_(programme_ids))):
            category_of[pid], names[str(pid)] = category, name
        for pid, group in session.execute(select(ProgrammeTargetGroup.programme_id, ProgrammeTargetGroup.target_group_code)
                                          .where(ProgrammeTargetGroup.programme_id.in_(programme_ids))):
            groups_of[pid].append(group)
    labels = {"programme": names,
              "category": dict(session.execute(select(Category.code, Category.label_sv)).all()),
              "target_group": dict(session.execute(select(TargetGroup.code, TargetGroup.label_sv)).all())}
    return EndedFacts(facts, category_of, dict(groups_of), labels)


def ended_outcomes(session: Session, scope: Scope, by=None) -> list[tuple]:
    """The period's ended placements as (outcome, person, placements) rows, grouped in SQL;
    with `by` (a column, e.g. the buyer) each row starts with its value."""
    outcome = func.coalesce(Booking.outcome, "other")
    person = person_key()
    keys = ([by] if by is not None else []) + [outcome, person]
    return [tuple(row) for row in session.execute(_bookings(*keys, func.count()).where(_ended_in_period(scope))
                                                  .group_by(*keys))]


def _keys(facts: EndedFacts, fact: EndedFact, dimension: str) -> list[str]:
    if dimension == "programme":
        return [str(fact.programme_id)]
    if dimension == "category":
        return [facts.category_of[fact.programme_id]]
    if dimension == "target_group":
        return facts.groups_of.get(fact.programme_id, [])
    raise ValueError(dimension)


def _fold(pairs) -> dict:
    """(key, fact) pairs -> key: Counted(placements, distinct people)."""
    placements, people = defaultdict(int), defaultdict(set)
    for key, fact in pairs:
        placements[key] += fact.placements
        people[key].add(fact.person)
    return {key: Counted(placements[key], len(people[key])) for key in placements}


def outcomes_by(session: Session, scope: Scope, dimension: str,
                facts: EndedFacts | None = None) -> tuple[list[OutcomeCell], dict[str, Counted], dict[str, str]]:
    """Ended placements by (group, outcome) for dimension programme | category | target_group.

    Returns the cells, each group's total (distinct people), and the groups' labels. A
    booking counts under each target group of its programme, so target-group rows overlap.
    """
    facts = facts or ended_facts(session, scope)
    cells = _fold(((key, f.outcome), f) for f in facts.facts for key in _keys(facts, f, dimension))
    totals = _fold((key, f) for f in facts.facts for key in _keys(facts, f, dimension))
    names = facts.labels[dimension]
    return ([OutcomeCell(g, o, c.count, c.people) for (g, o), c in cells.items()], totals,
            {g: names.get(g, g) for g in totals})


def outcome_totals(session: Session, scope: Scope, facts: EndedFacts | None = None) -> tuple[dict[str, Counted], Counted]:
    facts = facts or ended_facts(session, scope)
    total = _fold(("all", f) for f in facts.facts).get("all", Counted(0, 0))
    return _fold((f.outcome, f) for f in facts.facts), total


@dataclass(frozen=True)
class LengthRow:
    group: str
    ended: int
    people: int
    average_days: Decimal | None


def average_length(session: Session, scope: Scope, facts: EndedFacts | None = None) -> tuple[LengthRow, list[LengthRow]]:
    """Average length (start to end, inclusive days) of placements ended in the period: overall and per programme."""
    facts = facts or ended_facts(session, scope)
    days: dict[str, int] = defaultdict(int)
    for f in facts.facts:
        days[str(f.programme_id)] += f.days
        days[""] += f.days
    counted = _fold((str(f.programme_id), f) for f in facts.facts)
    overall = _fold(("", f) for f in facts.facts).get("", Counted(0, 0))

    def row(group: str, c: Counted) -> LengthRow:
        return LengthRow(group, c.count, c.people, Decimal(days[group]) / c.count if c.count else None)

    return row("", overall), [row(g, c) for g, c in counted.items()]


# --- waitlist -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waitlist:
    waiting_at_end: Counted
    entered: Counted
    left: Counted
    average_waiting_days: Decimal | None


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.STOCKHOLM)


def waitlist(session: Session, scope: Scope) -> Waitlist:
    """Waitlist length at the period's end and days waited by those who left it in the period.

    Read from the booking events (to_status / from_status 'waitlisted'), so past periods
    are answered as they were; a booking is counted as waiting once.
    """
    start, end = day_start(scope.from_date), day_start(scope.to_date + timedelta(days=1))
    entry, leave = aliased(BookingEvent), aliased(BookingEvent)
    base = (select().select_from(entry).join(Booking, Booking.id == entry.booking_id)
            .join(Programme, Programme.id == Booking.programme_id)
            .where(entry.to_status == BookingStatus.WAITLISTED.value, _in_scope(scope)))
    left_before_end = (select(leave.id).where(leave.booking_id == entry.booking_id,
                                              leave.from_status == BookingStatus.WAITLISTED.value,
                                              leave.at < end).exists())
    counted = (func.count(distinct(entry.booking_id)), func.count(distinct(person_key())))
    waiting = Counted(*session.execute(base.add_columns(*counted).where(entry.at < end, ~left_before_end)).one())
    entered = Counted(*session.execute(base.add_columns(*counted).where(entry.at >= start, entry.at < end)).one())
    pairs = session.execute(
        base.add_columns(entry.booking_id, person_key(), entry.at, leave.at)
        .join(leave, and_(leave.booking_id == entry.booking_id, leave.from_status == BookingStatus.WAITLISTED.value))
        .where(leave.at >= start, leave.at < end)).all()
    firsts: dict[int, tuple[str, datetime, datetime]] = {}
    for booking_id, person, entered_at, left_at in pairs:
        if booking_id not in firsts or entered_at < firsts[booking_id][1]:
            firsts[booking_id] = (person, entered_at, left_at)
    people = {person for person, _, _ in firsts.values()}
    waited = [Decimal((left_at - entered_at).total_seconds()) / 86400 for _, entered_at, left_at in firsts.values()]
    average = sum(waited, Decimal(0)) / len(waited) if waited else None
    return Waitlist(waiting, entered, Counted(len(firsts), len(people)), average)


def waitlist_entries(session: Session, scope: Scope) -> list[tuple[str, str, str, int]]:
    """Who was put on a waitlist in the period, per Stockholm calendar month and category:
    distinct (month YYYY-MM, category code, person, booking id) rows, read from the booking
    events (to_status 'waitlisted') like waitlist(). The rows are few; callers count them."""
    bounds = [(key, day_start(last + timedelta(days=1))) for key, _first, last, _dim in months_in(scope)]
    if not bounds:
        return []
    entry = aliased(BookingEvent)
    month = case(*((entry.at < end, literal(key)) for key, end in bounds), else_=literal(""))
    query = (select(month, Programme.category_code, person_key(), entry.booking_id).distinct()
             .select_from(entry).join(Booking, Booking.id == entry.booking_id)
             .join(Programme, Programme.id == Booking.programme_id)
             .where(entry.to_status == BookingStatus.WAITLISTED.value, _in_scope(scope),
                    entry.at >= day_start(scope.from_date), entry.at < day_start(scope.to_date + timedelta(days=1))))
    return [tuple(row) for row in session.execute(query)]


def category_labels(session: Session) -> dict[str, str]:
    return dict(session.execute(select(Category.code, Category.label_sv)).all())


def target_group_labels(session: Session) -> dict[str, str]:
    return dict(session.execute(select(TargetGroup.code, TargetGroup.label_sv)).all())


# --- money ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthMoney:
    month: str  # YYYY-MM
    bought: Decimal  # SEK, unrounded
    sold: Decimal


def months_in(scope: Scope) -> list[tuple[str, date, date, int]]:
    """(YYYY-MM, first day in scope, last day in scope, days in that calendar month) per month."""
    months, first = [], scope.from_date.replace(day=1)
    while first <= scope.to_date:
        following = add_months(first, 1)
        months.append((first.strftime("%Y-%m"), max(first, scope.from_date), min(following - timedelta(days=1), scope.to_date),
                       (following - first).days))
        first = following
    return months


def charge_rows(session: Session, scope: Scope, group=None):
    """The period's charges under DESIGN.md's billing rules, per (month, group), from booking rows
    in one SQL pass: (month, days in month, group, bought, sold, fixed öre, monthly öre x days,
    place-days). `group` is a Booking column (default: the programme). Internal placements
    (buyer = provider) cost nothing and are left out."""
    months = months_in(scope)
    if not months:
        return []
    # Dates become day numbers once per booking; the month join is then integer arithmetic
    # (SQLite would otherwise parse date strings for every booking x month pair).
    month_rows = union_all(*(select(literal(key).label("m"), literal((first - EPOCH).days).label("a"),
                                    literal((last - EPOCH).days).label("b"), literal(dim).label("dim"))
                             for key, first, last, dim in months)).cte("months")
    bought_flag = (Booking.buyer_organisation_id == scope.organisation_id) if scope.organisation_id else literal(True)
    sold_flag = (Programme.organisation_id == scope.organisation_id) if scope.organisation_id else literal(True)
    # The period's chargeable bookings, read once (MATERIALIZED), then spread over the months:
    # otherwise SQLite scans the whole booking table once per month.
    chargeable = (select((Booking.programme_id if group is None else group).label("g"),
                         day_number(session, Booking.start_date).label("s"),
                         day_number(session, Booking.end_date).label("e"), Booking.price_ore.label("price_ore"),
                         Booking.price_unit.label("price_unit"), case((bought_flag, 1), else_=0).label("bought"),
                         case((sold_flag, 1), else_=0).label("sold"))
                  .select_from(Booking).join(Programme, Programme.id == Booking.programme_id)
                  .where(Booking.status.in_(USED_STATUSES), Booking.buyer_organisation_id != Programme.organisation_id,
                         Booking.start_date <= scope.to_date, Booking.end_date >= scope.from_date, _in_scope(scope))
                  .cte("chargeable").prefix_with("MATERIALIZED"))
    b, m = chargeable.c, month_rows.c
    days = _least(session, b.e, m.b) - _greatest(session, b.s, m.a) + 1
    fixed = func.sum(case((b.price_unit == "day", b.price_ore * days),
                          (and_(b.price_unit == "placement", b.s >= m.a, b.s <= m.b), b.price_ore), else_=0))
    per_month = func.sum(case((b.price_unit == "month", b.price_ore * days), else_=0))
    query = (select(m.m, m.dim, b.g, b.bought, b.sold, fixed, per_month, func.sum(days))
             .select_from(chargeable).join(month_rows, and_(b.s <= m.b, b.e >= m.a))
             .group_by(m.m, m.dim, b.g, b.bought, b.sold))
    return session.execute(query).all()


def charge_amount(dim, fixed_ore, monthly_ore) -> Decimal:
    """One charge row's amount in SEK, unrounded."""
    return (Decimal(int(fixed_ore or 0)) + Decimal(int(monthly_ore or 0)) / Decimal(int(dim))) / 100


def money(session: Session, scope: Scope) -> tuple[list[MonthMoney], dict[int, Decimal]]:
    """Charges per month under DESIGN.md's billing rules, from booking rows (one SQL pass).

    month unit: price x days / days in the month; day unit: price x days; placement unit:
    the whole price in the month of start_date. The sums are exact (not rounded per line as
    billing's files are), so they can differ from the invoiced total by a few öre.
    Returns the months (bought by / sold by the organisation; both equal the city total
    without one) and the period's amount per programme for the scope's bookings.
    """
    months = months_in(scope)
    bought: dict[str, Decimal] = defaultdict(Decimal)
    sold: dict[str, Decimal] = defaultdict(Decimal)
    per_programme: dict[int, Decimal] = defaultdict(Decimal)
    for month, dim, programme_id, is_bought, is_sold, fixed_ore, monthly_ore, _days in charge_rows(session, scope):
        amount = charge_amount(dim, fixed_ore, monthly_ore)
        bought[month] += amount if is_bought else 0
        sold[month] += amount if is_sold else 0
        per_programme[programme_id] += amount
    return [MonthMoney(key, bought[key], sold[key]) for key, *_ in months], dict(per_programme)
