"""Booking requests under concurrency over loopback, then proof that no day is overbooked.

Each client is a staff user of its own organisation sending POST /api/v1/bookings with an
Idempotency-Key. A fifth of the requests go to a few "hot" programmes with few places,
so the capacity lock is contended and many answers are 409 (full); the rest spread over
many programmes. After the load, benchmarks.loadgen.overbooked_days checks every
programme and day in SQL, independently of the service's code.
"""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta

from sqlalchemy import text

from benchmarks import statements
from benchmarks.cpu import Meter
from benchmarks.harness import Server, api_token, run_load, summarise
from benchmarks.loadgen import USER_DOMAIN, overbooked_days


def _targets(engine, *, rng: random.Random, spread: int = 400, hot: int = 4) -> tuple[list[tuple], list[tuple]]:
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(text(
            "SELECT id, capacity, COALESCE(max_weeks, 52), COALESCE(min_weeks, 0) FROM programme "
            "WHERE status = 'published' AND capacity > 0 AND code LIKE 'LG-%' ORDER BY id"))]
    rng.shuffle(rows)
    small = sorted(rows, key=lambda r: r[1])[:hot]
    return [r for r in rows if r not in small][:spread], small


def _staff(engine, clients: int) -> list[str]:
    with engine.connect() as connection:
        return [r[0] for r in connection.execute(text(
            "SELECT email FROM app_user WHERE email LIKE :p ORDER BY id LIMIT :n"),
            {"p": f"staff.%@{USER_DOMAIN}", "n": clients})]


def body(programme: tuple, start: date, rng: random.Random, *, today: date) -> bytes:
    _, _, max_weeks, min_weeks = programme
    weeks = rng.randint(max(1, min_weeks), max(max(1, min_weeks), min(max_weeks, 12)))
    end = start + timedelta(weeks=weeks) - timedelta(days=1)
    return json.dumps({
        "programme_id": programme[0], "start_date": start.isoformat(), "end_date": end.isoformat(),
        "participant": {"reference": f"P-{rng.randrange(10**8):08d}", "name": "Bench Deltagare", "contact": "070-000 00 00",
                        "needs": ""},
        "assignment": {"purpose": "Pröva arbetsförmåga.", "goals": "Sysselsättning.", "sub_goals": "",
                       "tasks": "Enligt schema.", "participant_view": ""},
        "fia_completed": True, "decision": {"reference": "BB-1", "date": (today - timedelta(days=3)).isoformat()},
        "waitlist": False,
    }).encode()


def run(database_url: str, instance, engine, *, today: date, now, workers: int = 4, clients: int = 16,
        requests_per_client: int = 60, seed: int = 7, threads: int = 4) -> dict:
    rng = random.Random(seed)
    spread, hot = _targets(engine, rng=rng)
    emails = _staff(engine, clients)
    with Server(database_url, instance, workers=workers, threads=threads) as server:
        tokens = [api_token(server.port, email, "demo-losen-2026") for email in emails]
        client_rngs = [random.Random(seed * 1000 + i) for i in range(clients)]
        first = today + timedelta(days=14)

        def factory(index: int, number: int):
            local = client_rngs[index]
            hot_one = local.random() < 0.2
            programme = local.choice(hot if hot_one else spread)
            start = first + timedelta(days=local.randrange(0, 120 if not hot_one else 14))
            headers = {"Authorization": f"Bearer {tokens[index % len(tokens)]}", "Content-Type": "application/json",
                       "Idempotency-Key": str(uuid.UUID(int=local.getrandbits(128)))}
            return ("hot" if hot_one else "spread"), "POST", "/api/v1/bookings", body(programme, start, local, today=today), headers

        meter = Meter(server.process.pid, postgresql=engine.dialect.name == "postgresql")
        # The machine's yardstick in the same run: the same clients against /healthz (Flask,
        # gunicorn and one raw SELECT), the "bare endpoint" the targets are set against.
        meter.start()
        bare = run_load(server.port, lambda _index, _number: ("healthz", "GET", "/healthz", None, {}),
                        clients=clients, requests_per_client=requests_per_client)
        bare_cpu = meter.stop(len(bare.samples), bare.seconds)
        by_statement = statements.available(engine)  # which statement the database's time goes to
        if by_statement:
            statements.reset(engine)
        meter.start()
        load = run_load(server.port, factory, clients=clients, requests_per_client=requests_per_client)
        cpu = meter.stop(len(load.samples), load.seconds)
        top = statements.top(engine, requests=len(load.samples)) if by_statement and load.samples else None
    result = summarise(load.samples, load.seconds)
    result["cpu"] = cpu  # per request (any answer): server, database, load client; cores busy on average
    result["statements"] = top  # per request of the load, from pg_stat_statements; None where the server lacks it
    result["bare"] = {"requests_per_second": round(len(bare.samples) / bare.seconds, 1) if bare.seconds else None,
                      "errors": len(bare.errors), "cpu": bare_cpu}
    accepted = sum(1 for s in load.samples if s.status == 201)
    result.update({
        "clients": clients, "workers": workers, "threads": threads, "seconds": round(load.seconds, 2),
        "accepted": accepted, "accepted_per_second": round(accepted / load.seconds, 1) if load.seconds else None,
        "full_409": sum(1 for s in load.samples if s.status == 409),
        "hot": summarise([s for s in load.samples if s.label == "hot"]),
        "errors": load.errors[:10],
    })
    overbooked = overbooked_days(engine, now=now)
    result["overbooked_days"] = len(overbooked)
    result["overbooked_examples"] = [list(map(str, row)) for row in overbooked[:5]]
    return result
