"""Cost of one request, in-process: Python CPU and SQL statements per booking request and per search.

    python -m benchmarks.profile_requests [--engine sqlite|postgresql] [--programmes N] [--bookings M] [-n 300]
                                          [--pyinstrument [booking|selective|text|filters|worst]]

Wall-clock load figures depend on everything else the machine does; CPU time and the number
of statements per request say what one request costs, which is what the throughput limit
is made of (benchmarks/RESULTS.md). Python function calls per request (cProfile, a separate
pass) are the same from run to run: the figure to compare two versions of the code on a
shared, noisy machine. Builds a throwaway database with benchmarks.loadgen,
signs a staff user in through the API, then runs the requests through Flask's test client
(no HTTP server, no client threads) with a statement counter on the engine. On PostgreSQL
it also reports the CPU the local server's processes spent per request (from /proc): app and
database CPU together are what a request costs the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import event
from sqlalchemy.engine import Engine

from benchmarks import bench_bookings, bench_search
from benchmarks.cpu import database_seconds
from benchmarks.harness import bench_database, service_env
from benchmarks.loadgen import generate


def _measure(label: str, call, n: int, statements: list[int], profiler=None, database: bool = False) -> dict:
    codes: dict[int, int] = {}
    for _ in range(min(20, n)):  # warm: compiled statement caches, prepared statements
        call()
    statements[0] = 0
    if profiler is not None:
        profiler.start()
    database_cpu = database_seconds() if database else None
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        status = call()
        codes[status] = codes.get(status, 0) + 1
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if database_cpu is not None:
        database_cpu = database_seconds() - database_cpu
    if profiler is not None:
        profiler.stop()
    return {"label": label, "requests": n, "statuses": codes, "cpu_ms": round(1000 * cpu / n, 2),
            "wall_ms": round(1000 * wall / n, 2), "statements": round(statements[0] / n, 1),
            "database_cpu_ms": round(1000 * database_cpu / n, 2) if database_cpu is not None else None,
            "python_calls": _python_calls(call, min(n, 100))}


def _python_calls(call, n: int) -> int:
    """Python function calls per request (cProfile): the same count run after run, whatever else
    the machine is doing, so two versions of the code compare where CPU time is too noisy."""
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(n):
        call()
    profile.disable()
    return round(pstats.Stats(profile).total_calls / n)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--programmes", type=int, default=5_000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--pyinstrument", nargs="?", const="booking", default=None,
                        choices=["booking", "selective", "text", "filters", "worst"],
                        help="print a profile of one kind of request (default: booking)")
    args = parser.parse_args(argv)
    now = datetime.now(timezone.utc)
    today = now.date()
    with bench_database(args.engine, name="insatstorget_profile") as db:
        from marketplace.kernel.db import make_engine

        engine = make_engine(db.url)
        generate(engine, programmes=args.programmes, bookings=args.bookings, organisations=290, today=today, now=now)
        os.environ.update(service_env(db.url, db.folder / "instance"))
        from marketplace.app import create_app

        app = create_app()
        client = app.test_client()
        email = bench_bookings._staff(engine, 1)[0]
        token = client.post("/api/v1/auth/token", json={"email": email, "password": "demo-losen-2026"}).get_json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        statements = [0]

        def count(*_args, **_kwargs):
            statements[0] += 1

        event.listen(Engine, "before_cursor_execute", count)
        rng = random.Random(1)
        spread, _hot = bench_bookings._targets(engine, rng=rng)

        def book() -> int:
            # Far apart start dates: nearly every request is accepted (201), the costly path.
            start = today + timedelta(days=14 + rng.randrange(1700))
            body = bench_bookings.body(rng.choice(spread), start, rng, today=today)
            return client.post("/api/v1/bookings", data=body, headers={
                **auth, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}).status_code

        searches = bench_search.queries(today)

        def searcher(kind: str):
            paths = searches[kind]
            position = [0]

            def search() -> int:
                position[0] += 1
                return client.get(paths[position[0] % len(paths)], headers=auth).status_code
            return search

        profiler = None
        if args.pyinstrument:
            import pyinstrument

            profiler = pyinstrument.Profiler(interval=0.0005)
        database = args.engine == "postgresql"
        rows = [_measure("booking request (POST /api/v1/bookings)", book, args.n, statements,
                         profiler if args.pyinstrument == "booking" else None, database)]
        for kind in searches:
            rows.append(_measure(f"search: {kind}", searcher(kind), args.n, statements,
                                 profiler if args.pyinstrument == kind else None, database))
        rows.append(_measure("trivial: /api/v1/me", lambda: client.get("/api/v1/me", headers=auth).status_code,
                             args.n, statements, database=database))
        event.remove(Engine, "before_cursor_execute", count)
        engine.dispose()
    print(f"{args.engine}, {args.programmes} programmes, {args.bookings} bookings, {args.n} requests each, in-process")
    print("| request | app CPU ms | database CPU ms | wall ms | SQL statements | Python calls | answers |\n"
          "|---|---|---|---|---|---|---|")
    for row in rows:
        database_cpu = row["database_cpu_ms"] if row["database_cpu_ms"] is not None else "–"
        print(f"| {row['label']} | {row['cpu_ms']} | {database_cpu} | {row['wall_ms']} | {row['statements']} | "
              f"{row['python_calls']} | {row['statuses']} |")
    if profiler is not None:
        print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
