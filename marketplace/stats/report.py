"""The statistics report: every figure as named tables, suppressed, ready for page, files and API.

One structure serves the page, CSV, XLSX and JSON, so they always show the same figures.
Cells hold int, Decimal, str or None (None = hidden because fewer than five people).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import Session

from marketplace.stats import buyers, queries, unmet
from marketplace.stats.labels import OUTCOME_ORDER, N_, outcome_label
from marketplace.stats.suppression import Figure, count_or_none, is_small, suppress_table


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # text | int | money | percent | days


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    note: str = ""

    def as_dict(self) -> dict:
        return {"key": self.key, "title": self.title, "note": self.note,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in self.columns],
                "rows": [{c.key: json_value(v) for c, v in zip(self.columns, row)} for row in self.rows]}


def json_value(value):
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    return value


@dataclass
class Report:
    scope: queries.Scope
    organisation_code: str | None
    summary: dict[str, int | Decimal | None]
    tables: list[Table]

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


SUPPRESSED_NOTE = N_("Grupper med färre än 5 personer visas inte (–), så att ingen kan pekas ut.")


def _outcome_table(session: Session, scope, dimension: str, title: str, group_label: str,
                   facts: queries.EndedFacts) -> tuple[Table, dict[str, str]]:
    """A group x outcome table with margins, suppressed; returns it and the groups' labels."""
    cells, totals, labels = queries.outcomes_by(session, scope, dimension, facts)
    by_outcome, total = queries.outcome_totals(session, scope, facts)
    outcomes = [o for o in OUTCOME_ORDER if o in by_outcome] + sorted(set(by_outcome) - set(OUTCOME_ORDER))
    hidden = suppress_table({(c.group, c.outcome): Figure(c.count, c.people) for c in cells},
                            {g: Figure(t.count, t.people) for g, t in totals.items()},
                            {o: Figure(by_outcome[o].count, by_outcome[o].people) for o in outcomes},
                            Figure(total.count, total.people))
    columns = [Column("group", group_label, "text")] + [Column(o, outcome_label(o)) for o in outcomes] + \
        [Column("total", N_("Totalt")), Column("work_share", N_("Andel till arbete"), "percent")]
    table = Table(dimension, title, columns, note=SUPPRESSED_NOTE)
    for group in sorted(totals, key=lambda g: labels.get(g, g)):
        row_total = hidden.row_totals[group]
        work = hidden.cells.get((group, "work"), 0)
        share = None if row_total in (None, 0) or work is None else Decimal(work * 100) / row_total
        table.rows.append([labels.get(group, group)] + [hidden.cells.get((group, o), 0) for o in outcomes] + [row_total, share])
    work_total = hidden.col_totals.get("work", 0)
    share = None if not hidden.grand_total or work_total is None else Decimal(work_total * 100) / hidden.grand_total
    table.rows.append([N_("Alla")] + [hidden.col_totals[o] for o in outcomes] + [hidden.grand_total, share])
    return table, labels


def _waitlist_table(session: Session, scope) -> Table:
    """New on a waitlist per category (rows) and month (columns), with margins, suppressed."""
    entries = queries.waitlist_entries(session, scope)
    months = [key for key, *_ in queries.months_in(scope)]
    bookings: dict = {}
    people: dict = {}
    for month, category, person, booking_id in entries:
        for key in ((category, month), ("row", category), ("col", month), ("all",)):
            bookings.setdefault(key, set()).add(booking_id)
            people.setdefault(key, set()).add(person)

    def figure(key) -> Figure:
        return Figure(len(bookings.get(key, ())), len(people.get(key, ())))

    categories = sorted({category for _, category, _, _ in entries})
    hidden = suppress_table({(c, m): figure((c, m)) for c in categories for m in months},
                            {c: figure(("row", c)) for c in categories}, {m: figure(("col", m)) for m in months},
                            figure(("all",)))
    labels = queries.category_labels(session) if categories else {}
    table = Table("waitlist_category", N_("Nya på väntelistan per kategori och månad"),
                  [Column("category", N_("Kategori"), "text")] + [Column(m, m) for m in months] + [Column("total", N_("Totalt"))],
                  note=N_("Förfrågningar som sattes på väntelista, per insatsens kategori och månad: här saknas platser. "
                          "Grupper med färre än 5 personer visas inte (–)."))
    for category in sorted(categories, key=lambda c: labels.get(c, c)):
        table.rows.append([labels.get(category, category)] + [hidden.cells[(category, m)] for m in months]
                          + [hidden.row_totals[category]])
    if categories:
        table.rows.append([N_("Alla")] + [hidden.col_totals[m] for m in months] + [hidden.grand_total])
    return table


def _unmet_table(session: Session, scope) -> Table:
    table = Table("unmet", N_("Sökningar utan träff"), [
        Column("query", N_("Sökord"), "text"), Column("category", N_("Kategori"), "text"),
        Column("target_groups", N_("Målgrupper"), "text"), Column("organisation", N_("Anordnare"), "text"),
        Column("accessible", N_("Tillgänglig"), "text"), Column("max_price", N_("Högsta pris (kr)"), "money"),
        Column("searches", N_("Sökningar"))],
        note=N_("Sökningar i katalogen som inte gav någon träff, hela staden, de vanligaste först. Bara sökord och filter "
                "sparas, räknade per dag; ingen användare. En sökning visas först när den gjorts minst 5 gånger under perioden."))
    rows = unmet.most_frequent(session, scope)
    if rows:
        categories = queries.category_labels(session)
        groups = queries.target_group_labels(session)
        for row in rows:
            f = row.filters
            table.rows.append([row.query or N_("(inga sökord)"), categories.get(f.category, f.category or ""),
                               ", ".join(groups.get(code, code) for code in f.target_groups), f.organisation or "",
                               N_("Ja") if f.accessible else "", row.max_price, row.searches])
    return table


BUYER_COLUMNS = [
    Column("organisation", N_("Organisation"), "text"), Column("placements_started", N_("Påbörjade placeringar")),
    Column("requests", N_("Förfrågningar")),
    Column("median_days_to_decision", N_("Mediandagar förfrågan–beslut"), "days"),
    Column("median_days_to_start", N_("Mediandagar förfrågan–start"), "days"),
    Column("refused_or_expired_share", N_("Andel avslagna eller utgångna"), "percent"),
    Column("work_or_studies_share", N_("Andel till arbete eller studier"), "percent"),
    Column("cost_per_placement_month", N_("Kostnad per placeringsmånad (kr)"), "money"),
]


def _buyers_table(session: Session, scope, sort: tuple[str, bool]) -> Table:
    city, rows = buyers.compare_buyers(session, scope, city_name=N_("Hela staden (referens)"))
    table = Table("buyers", N_("Organisationer som köpare, sida vid sida"), BUYER_COLUMNS, note=N_(
        "Hela staden först som referens, sedan varje köpande organisation. Förfrågningar = platser som begärdes under "
        "perioden; dagar räknas i hela kalenderdagar. Till arbete eller studier = avslutade placeringar med utfallet "
        "arbete eller studier. Kostnaden räknas på de avtalade priserna, utan interna placeringar. Grupper med färre "
        "än 5 personer visas inte (–)."))
    for row in [city] + buyers.sort_rows(rows, *sort):
        table.rows.append([row.name if row.organisation_id == buyers.CITY else f"{row.name} ({row.code})",
                           row.placements_started, row.requests, row.median_days_to_decision, row.median_days_to_start,
                           row.refused_or_expired_share, row.work_or_studies_share, row.cost_per_placement_month])
    return table


def build_report(session: Session, scope: queries.Scope, organisation_code: str | None, *,
                 buyer_sort: tuple[str, bool] = ("organisation", False)) -> Report:
    counts = queries.placement_counts(session, scope)
    wait = queries.waitlist(session, scope)
    facts = queries.ended_facts(session, scope)
    overall_length, lengths = queries.average_length(session, scope, facts)
    months, per_programme_money = queries.money(session, scope)
    occupancy = queries.occupancy(session, scope)

    summary = {
        "placements_started": count_or_none(counts["started"].count, counts["started"].people),
        "placements_active": count_or_none(counts["active"].count, counts["active"].people),
        "placements_ended": count_or_none(counts["ended"].count, counts["ended"].people),
        "waitlist_at_end": count_or_none(wait.waiting_at_end.count, wait.waiting_at_end.people),
        "waitlist_entered": count_or_none(wait.entered.count, wait.entered.people),
        "waitlist_left": count_or_none(wait.left.count, wait.left.people),
        "average_waiting_days": None if is_small(wait.left.people) else wait.average_waiting_days,
        "average_length_days": None if is_small(overall_length.people) else overall_length.average_days,
        "place_days_offered": sum(r.offered_days for r in occupancy),
        "place_days_used": sum(r.used_days for r in occupancy),
        "money_bought": sum((m.bought for m in months), Decimal(0)),
        "money_sold": sum((m.sold for m in months), Decimal(0)),
    }
    offered = summary["place_days_offered"]
    summary["occupancy_percent"] = Decimal(summary["place_days_used"] * 100) / offered if offered else None

    placements = Table("placements", N_("Placeringar under perioden"), [
        Column("measure", N_("Mått"), "text"), Column("value", N_("Antal"))], note=SUPPRESSED_NOTE)
    placements.rows = [[N_("Påbörjade"), summary["placements_started"]], [N_("Pågående någon dag"), summary["placements_active"]],
                       [N_("Avslutade"), summary["placements_ended"]]]

    occupancy_table = Table("occupancy", N_("Beläggning per insats (platsdagar)"), [
        Column("programme", N_("Insats"), "text"), Column("organisation", N_("Anordnare"), "text"), Column("capacity", N_("Platser")),
        Column("offered", N_("Erbjudna platsdagar")), Column("used", N_("Använda platsdagar")),
        Column("occupancy", N_("Beläggning"), "percent")],
        note=N_("Erbjudna platsdagar = dagens antal platser × periodens dagar. Platsdagar gäller platser, inte personer, och visas alltid."))
    occupancy_table.rows = [[r.name, r.organisation_code, r.capacity, r.offered_days, r.used_days, r.occupancy_percent]
                            for r in occupancy]

    waitlist_table = Table("waitlist", N_("Väntelista"), [Column("measure", N_("Mått"), "text"), Column("value", N_("Värde"), "days")],
                           note=SUPPRESSED_NOTE)
    waitlist_table.rows = [[N_("Väntar vid periodens slut"), summary["waitlist_at_end"]],
                           [N_("Nya på väntelistan"), summary["waitlist_entered"]],
                           [N_("Lämnade väntelistan"), summary["waitlist_left"]],
                           [N_("Genomsnittlig väntetid (dagar)"), summary["average_waiting_days"]]]

    programme_table, programme_names = _outcome_table(session, scope, "programme", N_("Utfall per insats"), N_("Insats"), facts)
    category_table, _ = _outcome_table(session, scope, "category", N_("Utfall per kategori"), N_("Kategori"), facts)
    target_table, _ = _outcome_table(session, scope, "target_group", N_("Utfall per målgrupp"), N_("Målgrupp"), facts)
    target_table.note = N_("Grupper med färre än 5 personer visas inte (–). En placering räknas under varje målgrupp som insatsen vänder sig till.")

    programme_names.update({str(r.programme_id): r.name for r in occupancy})
    cost_table = Table("cost", N_("Längd och kostnad per insats"), [
        Column("programme", N_("Insats"), "text"), Column("ended", N_("Avslutade")), Column("average_days", N_("Snittlängd (dagar)"), "days"),
        Column("amount", N_("Belopp under perioden (kr)"), "money")],
        note=N_("Belopp beräknas ur placeringarna med faktureringens regler, utan avrundning per rad. Grupper med färre än 5 personer visas inte (–)."))
    lengths_by_programme = {row.group: row for row in lengths}
    for programme_id in sorted(set(lengths_by_programme) | {str(p) for p in per_programme_money},
                               key=lambda key: programme_names.get(key, key)):
        length = lengths_by_programme.get(programme_id)
        ended = count_or_none(length.ended, length.people) if length else 0
        average = None if length and is_small(length.people) else (length.average_days if length else None)
        cost_table.rows.append([programme_names.get(programme_id, programme_id), ended, average,
                                per_programme_money.get(int(programme_id), Decimal(0))])

    money_table = Table("money", N_("Köpt och sålt per månad (kr)"), [
        Column("month", N_("Månad"), "text"), Column("bought", N_("Köpt"), "money"), Column("sold", N_("Sålt"), "money")],
        note=N_("Utan vald organisation är köpt och sålt samma belopp: handeln mellan stadens organisationer."))
    money_table.rows = [[m.month, m.bought, m.sold] for m in months]

    return Report(scope, organisation_code, summary, [placements, occupancy_table, waitlist_table, programme_table,
                                                      category_table, target_table, cost_table, money_table,
                                                      _buyers_table(session, scope, buyer_sort),
                                                      _waitlist_table(session, scope), _unmet_table(session, scope)])
