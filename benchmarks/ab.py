"""Paired A/B of two code trees on one PostgreSQL database: CPU per booking request.

    python -m benchmarks.ab OLD_TREE NEW_TREE [--rounds 12] [-n 150] [--programmes N] [--bookings M]

On a shared machine, CPU per request drifts by 20–40 % within minutes (benchmarks/RESULTS.md),
more than most changes are worth, so two runs one after the other compare the machine's
moods rather than the code. Here one process per tree (each with the tree first on its path)
serves booking requests in-process through Flask's test client against the same database,
in short bursts taken in turn (ABAB…, then BABA…); each burst's app CPU and PostgreSQL CPU
are paired with the other tree's neighbouring burst. Requests are far apart in time, so
nearly all are accepted (201): the costly path. The trees must share the database schema.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path


def _worker(url: str, seed: int) -> None:
    """Serve bursts: read 'N' on stdin, book N places, answer 'app_ms database_ms accepted'.

    The service's configuration comes from the environment _start gives it."""
    from benchmarks import bench_bookings
    from benchmarks.cpu import database_seconds
    from marketplace.app import create_app
    from marketplace.kernel.db import make_engine

    engine = make_engine(url)
    client = create_app().test_client()
    email = bench_bookings._staff(engine, 2)[seed]
    token = client.post("/api/v1/auth/token", json={"email": email, "password": "demo-losen-2026"}).get_json()["token"]
    spread, _hot = bench_bookings._targets(engine, rng=random.Random(1))
    engine.dispose()
    rng, today = random.Random(seed), datetime.now(timezone.utc).date()

    def book() -> int:
        start = today + timedelta(days=14 + rng.randrange(1700))
        body = bench_bookings.body(rng.choice(spread), start, rng, today=today)
        return client.post("/api/v1/bookings", data=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4())}).status_code

    for _ in range(30):  # warm: statement caches, prepared statements
        book()
    print("ready", flush=True)
    for line in sys.stdin:
        n = int(line)
        database, app = database_seconds(), time.process_time()
        accepted = sum(1 for _ in range(n) if book() == 201)
        app, database = time.process_time() - app, database_seconds() - database
        print(f"{1000 * app / n:.3f} {1000 * database / n:.3f} {accepted}", flush=True)


def _start(tree: Path, url: str, seed: int, instance: Path) -> subprocess.Popen:
    # This file runs in both workers (an old tree may not have it); the tree first on the path
    # decides which service code it imports.
    from benchmarks.harness import service_env

    env = service_env(url, instance, PYTHONPATH=str(tree))
    process = subprocess.Popen([sys.executable, __file__, "--worker", url, str(seed)], cwd=tree, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"the worker for {tree} did not start")
    return process


def compare(trees: list[Path], url: str, instance: Path, *, rounds: int, n: int) -> list[str]:
    processes = [_start(tree, url, seed, instance / str(seed)) for seed, tree in enumerate(trees)]
    bursts: list[list[tuple[float, float, int]]] = [[], []]
    try:
        for round_ in range(rounds):
            for index in ((0, 1) if round_ % 2 == 0 else (1, 0)):
                processes[index].stdin.write(f"{n}\n")
                processes[index].stdin.flush()
                app, database, accepted = processes[index].stdout.readline().split()
                bursts[index].append((float(app), float(database), int(accepted)))
    finally:
        for process in processes:
            process.stdin.close()
            process.wait()
    lines = [f"{rounds} bursts of {n} booking requests per tree, taken in turn",
             "| tree | app CPU ms (median) | PostgreSQL CPU ms (median) | accepted |", "|---|---|---|---|"]
    for tree, figures in zip(trees, bursts):
        lines.append(f"| {tree} | {statistics.median(f[0] for f in figures):.2f} | "
                     f"{statistics.median(f[1] for f in figures):.2f} | {sum(f[2] for f in figures)} |")
    differences = [(a[0] + a[1]) - (b[0] + b[1]) for a, b in zip(*bursts)]
    lines.append(f"paired difference, first − second tree, app + PostgreSQL CPU per request: "
                 f"median {statistics.median(differences):+.2f} ms, mean {statistics.mean(differences):+.2f} ms")
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        _worker(argv[1], int(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs=2, type=Path, help="two checkouts of the project (old, new)")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("-n", type=int, default=150, help="requests per burst")
    parser.add_argument("--programmes", type=int, default=10_000)
    parser.add_argument("--bookings", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    from benchmarks.harness import bench_database
    from benchmarks.loadgen import generate
    from marketplace.kernel.db import make_engine

    with bench_database("postgresql", name="insatstorget_ab") as db:
        engine = make_engine(db.url)
        now = datetime.now(timezone.utc)
        generate(engine, programmes=args.programmes, bookings=args.bookings, organisations=290, today=now.date(), now=now)
        engine.dispose()
        for line in compare([tree.resolve() for tree in args.trees], db.url, db.folder, rounds=args.rounds, n=args.n):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
