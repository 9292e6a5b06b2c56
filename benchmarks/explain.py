"""The query plans behind the benchmarks: the exact SQL the service sends, explained by the database.

Statements are captured from the driver while the service's own functions run (catalogue
search, the capacity check of a booking request, the full-days refresh), then explained:
EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite.
`python -m benchmarks.explain URL` prints them for a database made by the load generator.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session


def _capture(engine, work) -> list[tuple[str, object]]:
    captured: list[tuple[str, object]] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return captured


def _explain(engine, statement: str, parameters) -> str:
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " if engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        cursor = raw.cursor()
        cursor.execute(prefix + statement, parameters)
        rows = cursor.fetchall()
        cursor.close()
        connection.rollback()
    if engine.dialect.name == "postgresql":
        return "\n".join(row[0] for row in rows)
    return "\n".join(f"{'  ' * 0}{row[-1]}" for row in rows)


def collect(engine, *, today: date, now: datetime | None = None) -> dict[str, str]:
    """{name: 'SQL … plan …'} for the benchmark's key statements."""
    from catalog.models import Programme
    from catalog.search import ProgrammeFilters
    from marketplace.bookings import capacity, full_days
    from marketplace.programmes import service

    now = now or datetime.now(timezone.utc)
    monday = today + timedelta(days=7 - today.weekday())
    dates = (monday, monday + timedelta(days=27))
    kinds = {
        "search selective (word + category + availability)": ProgrammeFilters(q="cykel", category="bicycle"),
        "search worst (availability only)": ProgrammeFilters(),
    }
    plans: dict[str, str] = {}
    with Session(engine) as session:
        for name, filters in kinds.items():
            statements = _capture(engine, lambda f=filters: service.search_documents(
                session, f, offset=0, limit=20, available=dates, today=today, now=now))
            for label, (statement, parameters) in zip(("page with its total", "target groups"), statements[:2]):
                plans[f"{name}: {label}"] = statement + "\n--\n" + _explain(engine, statement, parameters)
        programme_id = session.execute(select(Programme.id).where(Programme.status == "published").order_by(Programme.id)
                                       .limit(1)).scalar()
        if programme_id is not None:
            statements = _capture(engine, lambda: capacity.committed_by_day(session, programme_id, dates[0], dates[1], now=now))
            if statements:
                plans["booking request: committed places per day"] = statements[0][0] + "\n--\n" + _explain(engine, *statements[0])

            def refresh():
                full_days.refresh(session, {programme_id: dates}, grown_only=frozenset({programme_id}))
                session.rollback()

            statements = _capture(engine, refresh)
            booking_selects = [s for s in statements if "FROM booking" in s[0]]
            if booking_selects:
                plans["booking request: full-days refresh"] = booking_selects[0][0] + "\n--\n" + _explain(engine, *booking_selects[0])
    return plans


def main(argv: list[str]) -> int:
    from marketplace.kernel.db import make_engine

    if len(argv) != 1:
        print("usage: python -m benchmarks.explain DATABASE_URL", file=sys.stderr)
        return 2
    engine = make_engine(argv[0])
    for name, plan in collect(engine, today=datetime.now(timezone.utc).date()).items():
        print(f"### {name}\n```\n{plan}\n```\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
