"""Realistic data at any size, quickly: organisations' users, programmes and bookings.

`generate(engine, programmes=N, bookings=M, ...)` is deterministic for a seed and
idempotent: rows it made are recognised by their codes (programmes `LG-000001`, bookings
`B-YYYY-L0000001`, users `*@loadgen.invalid`), so a second run adds only what is missing.

Bookings never overbook: each programme's places are "lanes", and the committing bookings
(requested with a live hold, approved, active, ended) of one lane follow each other
without overlap, so on every day at most `capacity` of them hold a place. Bookings that
hold nothing (rejected, cancelled, expired, waitlisted) are sprinkled on top. Statuses
follow the dates: ended before today, active across today, approved or requested after.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import date, datetime, time as dtime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.engine import Engine

from benchmarks.bulk import analyze, insert_rows, next_id, sync_sequence

PROGRAMME_PREFIX = "LG-"
USER_DOMAIN = "loadgen.invalid"
BOOKING_MARK = "L"  # B-2026-L0000001: never collides with the service's own B-2026-000123

ACTIVITIES = {
    "painting": ["Målarverkstad", "Fasadmåleri", "Måleri och tapetsering"],
    "outdoor_park": ["Parkgruppen", "Gröna jobb", "Trädgård och utemiljö", "Skogsgruppen"],
    "cleaning": ["Städservice", "Lokalvård", "Fönsterputs och städ"],
    "moving": ["Flyttgruppen", "Transport och lager", "Budcentralen"],
    "carpentry": ["Snickeriet", "Möbelverkstad", "Träverkstad"],
    "textile": ["Syateljén", "Textilverkstad", "Sömnad och redesign"],
    "second_hand": ["Second hand-butiken", "Loppis och sortering", "Returbutiken"],
    "recycling": ["Återbruket", "Återvinningscentralen", "Elektronikåtervinning"],
    "it_office": ["IT-verkstan", "Kontorsservice", "Digital reception"],
    "welding": ["Svetsverkstad", "Metallverkstad", "Smide och plåt"],
    "bicycle": ["Cykelköket", "Cykelverkstad", "Cykeluthyrning"],
    "bakery_cafe": ["Caféet", "Bageriet", "Kafé och catering", "Lunchrestaurangen"],
    "conference_service": ["Konferensservice", "Vaktmästeriet", "Reception och service"],
    "book_care": ["Bokvården", "Biblioteksservice", "Bokbinderiet"],
    "fine_motor": ["Monteringsgruppen", "Förpackning och montering", "Finmotorik i ateljé"],
    "health_activity": ["Hälsogruppen", "Friskvård och rörelse", "Aktiv vardag"],
    "motivation": ["Steget vidare", "Motivationsgruppen", "Lågtröskelverkstad"],
    "language_at_work": ["Språkpraktik", "Svenska på jobbet", "Kommunikativ svenska i praktik"],
    "culture_rehab": ["Kulturhuset", "Ateljé och scen", "Musikverkstaden"],
    "work_assessment": ["Kartläggningen", "Arbetsprövning", "Resursgruppen"],
}
PLACES = [
    "Rinkeby", "Kista", "Tensta", "Hässelby", "Vällingby", "Bromma", "Kungsholmen", "Norrmalm",
    "Östermalm", "Södermalm", "Årsta", "Skarpnäck", "Farsta", "Hägersten", "Skärholmen", "Göteborg",
    "Malmö", "Uppsala", "Västerås", "Örebro", "Linköping", "Umeå", "Luleå", "Gävle", "Jönköping",
    "Norrköping", "Sundsvall", "Växjö", "Karlstad", "Borås", "Östersund", "Kiruna", "Visby",
]
SENTENCES = [
    "Deltagarna arbetar i lag med tydliga uppgifter och stöd av handledare.",
    "Vi anpassar tempo och arbetstid efter varje deltagares förutsättningar.",
    "Verksamheten ger struktur i vardagen och träning i att passa tider.",
    "Arbetet sker både inomhus och utomhus beroende på säsong.",
    "Handledarna har erfarenhet av socialpsykiatri och beroendevård.",
    "Deltagaren får intyg och referens efter genomförd period.",
    "Kartläggning av arbetsförmåga görs löpande och följs upp med handläggaren.",
    "Lokalerna är tillgängliga och ligger nära kollektivtrafik.",
    "Stöd på flera språk finns, bland annat arabiska, somaliska och persiska.",
    "Insatsen förbereder för vidare studier eller anställning.",
]
OUTCOMES = ["work", "studies", "own_support", "jobbtorg", "social_insurance", "pension", "other_programme", "interrupted", "other"]
UNITS = [("month", 0.6, 300_000, 1_500_000), ("day", 0.3, 20_000, 80_000), ("placement", 0.1, 500_000, 2_500_000)]


def search_documents(name: str, description: str, labels: list[str], places: list[str] = ()) -> tuple[str, str]:
    """(search_name, search_text) exactly as the catalogue computes them, so search finds these rows."""
    from catalog.search import documents

    return documents(name, description, labels, places)


@dataclass
class Report:
    organisations: int = 0
    users: int = 0
    programmes: int = 0
    bookings: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"Load generator: {self.organisations} organisations, {self.users} users, {self.programmes} programmes, "
            f"{self.bookings} bookings added in {self.seconds:.1f} s"
        ]


def _utc(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, dtime(hour, 0), tzinfo=timezone.utc)


def ensure_organisations(engine: Engine, count: int | None, *, rng: random.Random) -> tuple[list[tuple[int, str]], int]:
    """Return [(id, code)] with at least `count` organisations, adding synthetic municipalities."""
    with engine.begin() as connection:
        existing = [tuple(row) for row in connection.execute(text("SELECT id, code FROM organisation ORDER BY id"))]
        added = 0
        if count and count > len(existing):
            start = next_id(connection, "organisation")
            rows = []
            codes = {code for _, code in existing}
            number = 1
            while len(existing) + len(rows) < count:
                code = f"K{number:04d}"
                number += 1
                if code in codes:
                    continue
                rows.append((start + len(rows), code, f"Kommun {code[1:]} arbetsmarknadsförvaltning", "district",
                             f"{5000 + number}", "7691", "3691"))
            insert_rows(connection, "organisation",
                        ("id", "code", "name", "kind", "cost_centre", "cost_account", "revenue_account"), rows)
            sync_sequence(connection, "organisation")
            added = len(rows)
            existing = [tuple(row) for row in connection.execute(text("SELECT id, code FROM organisation ORDER BY id"))]
    return existing, added


def ensure_users(engine: Engine, organisations: list[tuple[int, str]], *, now: datetime, password: str) -> tuple[dict[int, int], dict[int, int], int]:
    """One staff and one coordinator per organisation; returns ({org: staff_id}, {org: coordinator_id}, added)."""
    from marketplace.auth.passwords import hash_password

    password_hash = None
    staff: dict[int, int] = {}
    coordinators: dict[int, int] = {}
    added = 0
    with engine.begin() as connection:
        known = {row.email: row.id for row in connection.execute(
            text("SELECT id, email FROM app_user WHERE email LIKE :p"), {"p": f"%@{USER_DOMAIN}"})}
        start = next_id(connection, "app_user")
        rows = []
        for org_id, code in organisations:
            for role, target in (("staff", staff), ("coordinator", coordinators)):
                email = f"{role}.{code.lower()}@{USER_DOMAIN}"
                if email in known:
                    target[org_id] = known[email]
                    continue
                if password_hash is None:
                    password_hash = hash_password(password)  # argon2 once, not once per user
                user_id = start + len(rows)
                rows.append((user_id, email, f"Last {role} {code}", org_id, role, password_hash, True, now, now))
                target[org_id] = user_id
        if rows:
            insert_rows(connection, "app_user", ("id", "email", "name", "organisation_id", "roles", "password_hash",
                                                 "active", "created_at", "password_changed_at"), rows)
            sync_sequence(connection, "app_user")
            added = len(rows)
    return staff, coordinators, added


def _programme_rows(start_id: int, first_number: int, count: int, *, rng: random.Random, organisations, categories,
                    target_groups: dict[str, tuple[str, str]], now: datetime, prefix: str = PROGRAMME_PREFIX,
                    fixed_capacity: int | None = None):
    group_codes = sorted(target_groups)
    for offset in range(count):
        number = first_number + offset
        org_id, org_code = organisations[rng.randrange(len(organisations))]
        category = rng.choice(categories)
        activity = rng.choice(ACTIVITIES.get(category[0], ["Arbetsträning"]))
        place = rng.choice(PLACES)
        name = f"{activity} {place}"
        description = " ".join(rng.sample(SENTENCES, 3)) + f" Inriktning: {category[1].lower()}."
        unit, _, low, high = rng.choices(UNITS, weights=[u[1] for u in UNITS])[0]
        price = rng.randrange(low, high, 500)
        status = rng.choices(["published", "draft", "paused", "archived"], weights=[85, 5, 5, 5])[0]
        capacity = rng.choice([4, 5, 6, 8, 8, 10, 10, 12, 15, 20, 25, 30])
        if fixed_capacity is not None:
            status, capacity = "published", fixed_capacity
        accessible = rng.random() < 0.5
        groups = rng.sample(group_codes, rng.randint(1, 3))
        labels = [category[1], category[2]] + [label for group in groups for label in target_groups[group]]
        location = f"{place}, Storgatan {rng.randint(1, 99)}"
        schedule = rng.choice(["Mån–fre 9–15", "Mån–tor 8–12", "Tis–fre 10–15"])
        max_weeks = rng.choice([26, 52, None])
        language = rng.choice(["", "arabiska", "somaliska, arabiska", "engelska"])
        search_name, search_text = search_documents(name, description, labels, [location, language])
        row = (start_id + offset, f"{prefix}{number:06d}", org_id, name, description, category[0],
               "Aktuell hos socialtjänsten.", location, schedule, capacity, price, unit, 4,
               max_weeks, accessible, language,
               "Kontakt Samordnare", f"insats{number}@{USER_DOMAIN}", "08-508 000 00", status, search_text,
               search_name, now, now)
        yield row, groups


PROGRAMME_COLUMNS = ("id", "code", "organisation_id", "name", "description", "category_code", "eligibility", "location",
                     "schedule", "capacity", "price_ore", "price_unit", "min_weeks", "max_weeks", "accessible",
                     "language_support", "contact_name", "contact_email", "contact_phone", "status", "search_text",
                     "search_name", "created_at", "updated_at")


def ensure_programmes(engine: Engine, count: int, *, rng: random.Random, organisations, now: datetime,
                      prefix: str = PROGRAMME_PREFIX, capacity: int | None = None) -> int:
    """Add programmes coded `prefix`000001… up to `count`; `capacity` fixes every one's places (published)."""
    with engine.begin() as connection:
        have = int(connection.execute(text("SELECT COUNT(*) FROM programme WHERE code LIKE :p"),
                                      {"p": f"{prefix}%"}).scalar())
        missing = count - have
        if missing <= 0:
            return 0
        categories = [tuple(r) for r in connection.execute(text(
            "SELECT code, label_sv, label_en FROM category ORDER BY code"))]
        target_groups = {r[0]: (r[1], r[2]) for r in connection.execute(text(
            "SELECT code, label_sv, label_en FROM target_group ORDER BY code"))}
        start = next_id(connection, "programme")
        links: list[tuple[int, str]] = []

        def rows():
            for row, groups in _programme_rows(start, have + 1, missing, rng=rng, organisations=organisations,
                                               categories=categories, target_groups=target_groups, now=now,
                                               prefix=prefix, fixed_capacity=capacity):
                links.extend((row[0], group) for group in groups)
                yield row

        insert_rows(connection, "programme", PROGRAMME_COLUMNS, rows())
        insert_rows(connection, "programme_target_group", ("programme_id", "target_group_code"), links)
        sync_sequence(connection, "programme")
    # The search index follows by itself: FTS5 triggers on SQLite, an expression GIN index on PostgreSQL.
    return missing


BOOKING_COLUMNS = ("id", "ref", "programme_id", "buyer_organisation_id", "requester_id", "status", "start_date",
                   "end_date", "price_ore", "price_unit", "participant_reference", "participant_name",
                   "participant_contact", "participant_needs", "assignment_purpose", "assignment_goals",
                   "assignment_sub_goals", "assignment_tasks", "assignment_participant_view", "fia_completed",
                   "decision_reference", "decision_date", "hold_expires_at", "waitlisted_at", "decided_at",
                   "decided_by_id", "decision_reason", "outcome", "created_at", "updated_at", "version")
EVENT_COLUMNS = ("booking_id", "at", "actor_id", "from_status", "to_status", "note")


def booking_rows(start_id: int, first_number: int, count: int, programmes, *, rng: random.Random, staff: dict[int, int],
                 coordinators: dict[int, int], organisations, today: date, now: datetime, window: tuple[date, date],
                 events: list | None = None):
    """Yield booking tuples for `programmes` [(id, org_id, capacity, price, unit)] without overbooking."""
    lanes = [(p, lane) for p in programmes for lane in range(p[2])]
    if not lanes or count <= 0:
        return
    committed_share = 0.9
    per_lane = max(1, round(count * committed_share / len(lanes)))
    span = (window[1] - window[0]).days + 1
    segment = max(1, span // per_lane)
    produced = 0
    number = first_number
    org_ids = [org_id for org_id, _ in organisations]

    def build(programme, start, end, status):
        nonlocal number
        pid, provider_id, _, price, unit = programme
        buyer = provider_id if rng.random() < 0.1 else org_ids[rng.randrange(len(org_ids))]
        created = _utc(start - timedelta(days=rng.randint(7, 30)))
        if created > now:
            created = now - timedelta(hours=rng.randint(1, 48))
        hold = None
        decided_at = decided_by = reason = outcome = None
        if status == "requested":
            hold = now + timedelta(days=rng.randint(1, 9))
        elif status in ("approved", "active", "ended"):
            decided_at, decided_by = created + timedelta(days=2), coordinators[provider_id]
            if status == "ended":
                outcome = OUTCOMES[rng.randrange(len(OUTCOMES))]
        elif status == "rejected":
            decided_at, decided_by, reason = created + timedelta(days=2), coordinators[provider_id], "Passar inte målgruppen."
        elif status == "cancelled":
            reason = "Deltagaren har fått arbete."
        elif status == "expired":
            hold = created + timedelta(days=10)
        # Nothing is decided, expired or changed after `now` (billing reads updated_at as the
        # moment a row last changed: a future one would count as changed after every close).
        if decided_at is not None:
            decided_at = min(decided_at, now)
        if status == "expired":
            hold = min(hold, now)
        waitlisted_at = created if status == "waitlisted" else None
        booking_id = start_id + (number - first_number)
        ref = f"B-{start.year}-{BOOKING_MARK}{number:07d}"
        number += 1
        if events is not None:
            events.append((booking_id, created, staff[buyer], None, "requested" if status != "waitlisted" else "waitlisted", ""))
            if status not in ("requested", "waitlisted"):
                events.append((booking_id, decided_at or min(created + timedelta(days=1), now), decided_by, "requested", status,
                               reason or ""))
        return (booking_id, ref, pid, buyer, staff[buyer], status, start, end, price, unit,
                f"P-{number:08d}", f"Deltagare {number}", "070-000 00 00", None,
                "Arbetsträning för att pröva arbetsförmåga.", "Komma i sysselsättning.", "Passa tider.",
                "Uppgifter enligt verksamhetens schema.", "", rng.random() < 0.8,
                f"BB-{number}" if rng.random() < 0.9 else None, start - timedelta(days=14) if rng.random() < 0.9 else None,
                hold, waitlisted_at, decided_at, decided_by, reason, outcome, created, decided_at or created, 1)

    for programme, lane in lanes:
        # Each lane's grid of segments has its own phase, so occupancy is even over time.
        phase = rng.randrange(segment)
        for index in range(per_lane + 1):
            if produced >= count:
                return
            seg_start = window[0] + timedelta(days=index * segment - phase)
            seg_end = min(seg_start + timedelta(days=segment - 1), window[1])
            seg_start = max(seg_start, window[0])
            if seg_start > seg_end:
                continue
            room = (seg_end - seg_start).days + 1
            start = seg_start + timedelta(days=int(room * rng.uniform(0, 0.15)))
            length = max(1, int(room * rng.uniform(0.55, 0.85)))
            end = min(start + timedelta(days=length - 1), seg_end)
            if end < today:
                status = "ended"
            elif start <= today:
                status = "active"
            else:
                status = "approved" if rng.random() < 0.7 else "requested"
            yield build(programme, start, end, status)
            produced += 1
            if produced < count and rng.random() < (1 - committed_share) / committed_share:
                # A non-committing request on the same dates: rejected, cancelled, expired or waitlisted.
                kind = rng.choices(["rejected", "cancelled", "expired", "waitlisted"], weights=[4, 3, 3, 1])[0]
                if kind == "waitlisted" and start <= today:
                    kind = "rejected"
                yield build(programme, start, end, kind)
                produced += 1
    # Fewer lanes than asked for: top up with non-committing bookings (they never overbook).
    while produced < count:
        programme = programmes[rng.randrange(len(programmes))]
        start = window[0] + timedelta(days=rng.randrange(span))
        yield build(programme, start, start + timedelta(days=rng.randint(0, 60)), "rejected")
        produced += 1


def ensure_bookings(engine: Engine, count: int, *, rng: random.Random, organisations, staff, coordinators,
                    today: date, now: datetime, months: int = 24, with_events: bool = True) -> int:
    with engine.begin() as connection:
        have = int(connection.execute(text("SELECT COUNT(*) FROM booking WHERE ref LIKE :p"),
                                      {"p": f"B-%-{BOOKING_MARK}%"}).scalar())
        if have >= count:
            return 0
        # Only programmes without generated bookings get lanes, so a second, larger run
        # (more programmes and more bookings) never overlaps the first one's bookings.
        programmes = [tuple(row) for row in connection.execute(text(
            "SELECT p.id, p.organisation_id, p.capacity, p.price_ore, p.price_unit FROM programme p "
            "WHERE p.code LIKE :p AND p.status <> 'draft' AND NOT EXISTS "
            "(SELECT 1 FROM booking b WHERE b.programme_id = p.id AND b.ref LIKE :r) ORDER BY p.id"),
            {"p": f"{PROGRAMME_PREFIX}%", "r": f"B-%-{BOOKING_MARK}%"})]
        if not programmes:
            return 0
        count -= have
        start = next_id(connection, "booking")
        window = (today - timedelta(days=months * 30 - 180), today + timedelta(days=180))
        events: list | None = [] if with_events else None
        added = insert_rows(connection, "booking", BOOKING_COLUMNS, booking_rows(
            start, have + 1, count, programmes, rng=rng, staff=staff, coordinators=coordinators, organisations=organisations,
            today=today, now=now, window=window, events=events))
        sync_sequence(connection, "booking")
        if events:
            insert_rows(connection, "booking_event", EVENT_COLUMNS, events)
    return added


def generate(engine: Engine, *, programmes: int, bookings: int, today: date, now: datetime,
             organisations: int | None = None, seed: int = 2026, months: int = 24, with_events: bool = True,
             password: str = "demo-losen-2026", run_analyze: bool = True) -> Report:
    """Add what is missing for the requested sizes; returns what was added and how long it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    report = Report()
    orgs, report.organisations = ensure_organisations(engine, organisations, rng=rng)
    staff, coordinators, report.users = ensure_users(engine, orgs, now=now, password=password)
    report.programmes = ensure_programmes(engine, programmes, rng=rng, organisations=orgs, now=now)
    report.bookings = ensure_bookings(engine, bookings, rng=random.Random(seed + 1), organisations=orgs, staff=staff,
                                      coordinators=coordinators, today=today, now=now, months=months,
                                      with_events=with_events)
    if report.bookings or report.programmes:
        rebuild_availability_index(engine, today=today, now=now)
    if run_analyze and (report.programmes or report.bookings):
        analyze(engine)
    report.seconds = time.perf_counter() - started
    return report


def rebuild_availability_index(engine: Engine, *, today: date, now: datetime) -> int:
    """Bulk inserts bypass the ORM hooks that keep the full-days index and the stored next free
    dates; recompute both (as the refresh job would)."""
    from sqlalchemy.orm import Session

    from marketplace.bookings import next_free_index
    from marketplace.bookings.full_days import rebuild_all

    with engine.begin() as connection:
        runs = rebuild_all(connection)
    next_free_index.refresh_all_stale(lambda: Session(engine), today=today, now=now)
    return runs


def overbooked_days(engine: Engine, *, now: datetime) -> list[tuple]:
    """[(programme_id, first overbooked day, peak committed, capacity)]; [] proves no overbooking.

    Independent of the service's code, over every programme and every day: a sweep over
    each programme's committing bookings (+1 on the start date, -1 on the end date, starts
    of a day before ends of that day), whose running sum at a start is that day's committed
    places. O(n log n) in the number of bookings.
    """
    committing = ("(status IN ('approved','active','ended') OR "
                  "(status = 'requested' AND hold_expires_at > :now))")
    sql = text(
        "SELECT r.pid, MIN(r.day), MAX(r.running), p.capacity FROM ("
        " SELECT pid, day, delta, SUM(delta) OVER (PARTITION BY pid ORDER BY day, delta DESC"
        "   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM ("
        "  SELECT programme_id AS pid, start_date AS day, 1 AS delta FROM booking WHERE " + committing +
        "  UNION ALL"
        "  SELECT programme_id, end_date, -1 FROM booking WHERE " + committing +
        " ) events"
        ") r JOIN programme p ON p.id = r.pid "
        "WHERE r.delta = 1 AND r.running > p.capacity GROUP BY r.pid, p.capacity"
    )
    value = now if engine.dialect.name == "postgresql" else now.astimezone(timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sql, {"now": value})]
