"""Month close and file writing at 10k, 100k and 1M placement-months, beside a raw bulk insert.

One database holds a month per size (each booking covers its whole month, so it is one
placement-month and one charge line). Every step runs in its own subprocess, so its peak
memory (ru_maxrss) is its own:
- close: billing.month_close.close_month in one transaction, commit included (the database part);
- raw: the same number of rows of the same shape inserted into a plain table (no indexes,
  no constraints) in one transaction, in batches of 5 000 with SQLAlchemy Core, the way the
  close itself inserts: the floor for the database part on this machine, in the same run;
- csv, sie, xlsx: billing.storage.write_file for each format into a file;
- reclose: close_month again plus ensure_files: must write no line and no file.

`python -m benchmarks.bench_month_close step ...` is the subprocess entry point.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Column, MetaData, Table, func, select, text

from benchmarks.bulk import insert_rows, next_id, sync_sequence
from benchmarks.harness import ROOT, peak_rss_mb, reset_peak_rss, rss_mb
from benchmarks.loadgen import (BOOKING_COLUMNS, ensure_organisations, ensure_programmes, ensure_users,
                                rebuild_availability_index)

PLACES_PER_PROGRAMME = 100
PERIODS = {10_000: "2025-01", 100_000: "2025-02", 1_000_000: "2025-03"}


def month_bookings(engine, period: str, count: int, *, now: datetime, seed: int = 11) -> int:
    """`count` approved/ended bookings that each cover all of `period` (one line each), never overbooked."""
    rng = random.Random(seed)
    year, month = map(int, period.split("-"))
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    organisations, _ = ensure_organisations(engine, 290, rng=rng)
    staff, coordinators, _ = ensure_users(engine, organisations, now=now, password="demo-losen-2026")
    programmes_needed = -(-max(PERIODS) // PLACES_PER_PROGRAMME)
    ensure_programmes(engine, programmes_needed, rng=rng, organisations=organisations, now=now, prefix="MC-",
                      capacity=PLACES_PER_PROGRAMME)
    mark = f"M{period.replace('-', '')}"
    with engine.begin() as connection:
        have = connection.execute(text("SELECT COUNT(*) FROM booking WHERE ref LIKE :p"), {"p": f"B-{mark}-%"}).scalar()
        if have:
            return 0
        programmes = [tuple(r) for r in connection.execute(text(
            "SELECT id, organisation_id, price_ore, price_unit FROM programme WHERE code LIKE 'MC-%' ORDER BY id"))]
        org_ids = [org_id for org_id, _ in organisations]
        start_id = next_id(connection, "booking")
        created = datetime(year, month, 1, 8, tzinfo=timezone.utc) - timedelta(days=20)

        def rows():
            for number in range(count):
                # Lane = number: place number // programmes of programme number % programmes.
                pid, provider, price, unit = programmes[number % len(programmes)]
                buyer = org_ids[rng.randrange(len(org_ids))]
                if buyer == provider:
                    buyer = org_ids[(org_ids.index(buyer) + 1) % len(org_ids)]
                yield (start_id + number, f"B-{mark}-{number:07d}", pid, buyer, staff[buyer],
                       rng.choice(("approved", "ended")), first, last, price, unit,
                       f"P-{number:08d}", f"Deltagare {number}", "", None, "Arbetsträning.", "Arbete.", "",
                       "Enligt schema.", "", True, f"BB-{number}", first - timedelta(days=10), None, None,
                       created, coordinators[provider], None, None, created, created, 1)

        added = insert_rows(connection, "booking", BOOKING_COLUMNS, rows())
        sync_sequence(connection, "booking")
    rebuild_availability_index(engine, today=now.date(), now=now)
    return added


# --- the steps, each in a subprocess -------------------------------------------------------------


def _actor_now():
    return datetime.now(timezone.utc)


def _step_close(engine, period: str) -> dict:
    from sqlalchemy.orm import Session

    from billing.month_close import close_month
    from marketplace.kernel.db import transaction

    with Session(engine) as session:
        started = time.perf_counter()
        with transaction(session, write_lock=True):
            result = close_month(session, period, actor=None, now=_actor_now())
        seconds = time.perf_counter() - started
    return {"seconds": seconds, "lines": result.line_count, "closed_now": result.closed_now}


def _raw_table(engine) -> Table:
    from billing.models import ChargeLine

    metadata = MetaData()
    columns = [Column(c.name, c.type, primary_key=c.primary_key, autoincrement=c.primary_key)
               for c in ChargeLine.__table__.columns]
    table = Table("bench_raw_line", metadata, *columns)
    metadata.drop_all(engine, tables=[table])
    metadata.create_all(engine, tables=[table])
    return table


def _step_raw(engine, period: str, count: int) -> dict:
    """Insert `count` rows shaped like the month's own lines (cycled from its first 5 000)."""
    from sqlalchemy.orm import Session

    from billing.models import ChargeLine
    from marketplace.kernel.db import transaction

    table = _raw_table(engine)
    names = [c.name for c in ChargeLine.__table__.columns if c.name != "id"]
    with engine.connect() as connection:
        sample = [dict(row._mapping) for row in connection.execute(
            select(*[ChargeLine.__table__.c[n] for n in names]).where(ChargeLine.period == period).limit(5000))]
    if not sample:
        raise RuntimeError(f"no lines for {period}: run the close step first")
    with Session(engine) as session:
        started = time.perf_counter()
        with transaction(session, write_lock=True):
            batch = []
            for number in range(count):
                row = dict(sample[number % len(sample)])
                row["booking_id"] = number + 1
                batch.append(row)
                if len(batch) >= 5000:
                    session.execute(table.insert(), batch)
                    batch = []
            if batch:
                session.execute(table.insert(), batch)
        seconds = time.perf_counter() - started
    copy_seconds = None
    if engine.dialect.name == "postgresql":
        # For the record: PostgreSQL's COPY, the fastest way in, of the same rows.
        with engine.begin() as connection:
            connection.execute(text("TRUNCATE bench_raw_line"))
        with engine.begin() as connection:
            started = time.perf_counter()
            insert_rows(connection, "bench_raw_line", names,
                        (tuple(sample[n % len(sample)][c] if c != "booking_id" else n + 1 for c in names) for n in range(count)))
        copy_seconds = time.perf_counter() - started
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE bench_raw_line"))
    return {"seconds": seconds, "rows": count, "copy_seconds": copy_seconds}


def _step_file(engine, period: str, fmt: str, folder: Path) -> dict:
    from sqlalchemy.orm import Session

    from billing.storage import write_file

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{period}.{fmt}"
    with Session(engine) as session:
        started = time.perf_counter()
        with path.open("wb") as out:
            write_file(session, period, fmt, out)
        seconds = time.perf_counter() - started
    result = {"seconds": seconds, "bytes": path.stat().st_size}
    if fmt == "xlsx":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            result["sheets"] = sorted(n for n in archive.namelist() if n.startswith("xl/worksheets/"))
    path.unlink()
    return result


def _step_reclose(engine, period: str, folder: Path, *, with_files: bool) -> dict:
    """Close again (and make the files twice): the second close and the second file pass write nothing.

    with_files=False skips the files (at 1M they were just timed one by one; making all three
    again only to prove the re-check costs minutes).
    """
    from sqlalchemy.orm import Session

    from billing.models import ChargeLine
    from billing.month_close import close_month
    from billing.storage import ensure_files
    from marketplace.kernel.db import transaction

    def line_count() -> int:
        with Session(engine) as session:
            return session.execute(select(func.count()).select_from(ChargeLine).where(ChargeLine.period == period)).scalar()

    before = line_count()
    stamps = {}
    if with_files:
        with Session(engine) as session:
            with transaction(session):
                first_files = ensure_files(session, period, folder, now=_actor_now())
        stamps = {f.format: (f.path.stat().st_mtime_ns, f.sha256) for f in first_files}
    started = time.perf_counter()
    with Session(engine) as session:
        with transaction(session, write_lock=True):
            again = close_month(session, period, actor=None, now=_actor_now())
        second_files = []
        if with_files:
            with transaction(session):
                second_files = ensure_files(session, period, folder, now=_actor_now())
    seconds = time.perf_counter() - started
    unchanged = all(stamps[f.format] == (f.path.stat().st_mtime_ns, f.sha256) for f in second_files) if with_files else None
    return {"seconds": seconds, "closed_now": again.closed_now, "lines_before": before, "lines_after": line_count(),
            "files_unchanged": unchanged}


def step_main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("--step", required=True, choices=["close", "raw", "csv", "sie", "xlsx", "reclose"])
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--folder", default="/tmp")
    args = parser.parse_args(argv)
    from marketplace.kernel.db import make_engine

    engine = make_engine(args.url)
    with engine.connect() as connection:  # connect and import before measuring the baseline
        connection.execute(text("SELECT 1"))
    import billing.month_close  # noqa: F401
    import billing.storage  # noqa: F401

    baseline = rss_mb()
    reset_peak_rss()
    if args.step == "close":
        result = _step_close(engine, args.period)
    elif args.step == "raw":
        result = _step_raw(engine, args.period, args.count)
    elif args.step == "reclose":
        result = _step_reclose(engine, args.period, Path(args.folder), with_files=bool(args.count))
    else:
        result = _step_file(engine, args.period, args.step, Path(args.folder))
    result["rss_before_mb"] = round(baseline, 1)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    result["peak_growth_mb"] = round(peak_rss_mb() - baseline, 1)
    result["seconds"] = round(result["seconds"], 3)
    print(json.dumps(result, default=str))


def _run_step(url: str, period: str, step: str, *, count: int = 0, folder: Path) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_month_close", "step", "--url", url, "--period", period, "--step", step,
         "--count", str(count), "--folder", str(folder)],
        capture_output=True, text=True, cwd=str(ROOT), timeout=1800,
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else f"exit {completed.returncode}",
                "stderr_tail": completed.stderr[-2000:]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run(engine, url: str, folder: Path, *, sizes: list[int], now: datetime, formats=("csv", "sie", "xlsx"),
        reclose_files_up_to: int = 100_000, progress=print) -> dict:
    results = {}
    for size in sizes:
        period = PERIODS.get(size) or f"2024-{(len(results) % 12) + 1:02d}"
        started = time.perf_counter()
        month_bookings(engine, period, size, now=now)
        from benchmarks.bulk import analyze

        analyze(engine)
        progress(f"  month {period}: {size} placements loaded in {time.perf_counter() - started:.1f} s")
        entry = {"period": period, "placement_months": size}
        entry["close"] = _run_step(url, period, "close", folder=folder)
        progress(f"  close {size}: {entry['close']}")
        entry["raw"] = _run_step(url, period, "raw", count=size, folder=folder)
        progress(f"  raw insert {size}: {entry['raw']}")
        if "seconds" in entry["close"] and "seconds" in entry["raw"]:
            entry["close_to_raw"] = round(entry["close"]["seconds"] / entry["raw"]["seconds"], 2)
        for fmt in formats:
            entry[fmt] = _run_step(url, period, fmt, folder=folder)
            progress(f"  {fmt} {size}: {entry[fmt]}")
        entry["reclose"] = _run_step(url, period, "reclose", count=int(size <= reclose_files_up_to), folder=folder / "files")
        progress(f"  reclose {size}: {entry['reclose']}")
        results[str(size)] = entry
    return results


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "step":
        step_main(sys.argv[2:])
    else:
        sys.exit("usage: python -m benchmarks.bench_month_close step --url URL --period YYYY-MM --step STEP")
