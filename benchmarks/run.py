"""One command for every benchmark: python -m benchmarks.run [--engine sqlite|postgresql|both] [--quick]

Per engine it builds throwaway databases with benchmarks.loadgen, starts real gunicorn
servers (`insatstorget serve`), measures, prints a table with the targets and writes
JSON to benchmarks/results/<time>-<engine>.json. --quick uses small sizes (a smoke test in
about two minutes); the full run is what benchmarks/RESULTS.md reports.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

from benchmarks import bench_bookings, bench_month_close, bench_pages, bench_search
from benchmarks.harness import ROOT, bench_database
from benchmarks.loadgen import generate

RESULTS = ROOT / "benchmarks" / "results"

FULL = {
    "search_sizes": [(10_000, 1_000_000), (100_000, 2_000_000)],
    "search_per_kind": 150,
    "page_timeout": 30,
    "booking_clients": [8, 16, 32],
    "booking_requests": 1200,
    "close_sizes": [10_000, 100_000, 1_000_000],
    "close_formats_up_to": {"csv": 10**9, "sie": 10**9, "xlsx": 100_000},
}
QUICK = {
    "search_sizes": [(1_000, 20_000), (5_000, 60_000)],
    "search_per_kind": 40,
    "page_timeout": 30,
    "booking_clients": [8],
    "booking_requests": 240,
    "close_sizes": [2_000, 10_000],
    "close_formats_up_to": {"csv": 10**9, "sie": 10**9, "xlsx": 10**9},
}
# Search targets (p95 server ms) per catalogue size: selective, worst.
SEARCH_TARGETS = {10_000: (15, 15), 100_000: (25, 60)}
BOOKING_TARGET = {"postgresql": 300, "sqlite": 100}


def python_speed() -> float:
    """Seconds for five million additions in a Python loop, best of three: compares machines
    (and one machine's bad moments), since absolute figures move with it and ratios do not."""
    best = float("inf")
    for _ in range(3):
        started, total = time.process_time(), 0
        for number in range(5_000_000):
            total += number
        best = min(best, time.process_time() - started)
    return round(best, 3)


def machine() -> dict:
    def read(command: list[str]) -> str:
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    cpu = next((line.split(":", 1)[1].strip() for line in read(["lscpu"]).splitlines() if line.startswith("Model name")), "")
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0")
    return {
        "nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(int(memory) / 2**20, 1),
        "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
        "postgresql": read(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"]),
        "commit": read(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
        "python_loop_5m_s": python_speed(),
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _say(message: str) -> None:
    print(message, flush=True)


def run_engine(kind: str, plan: dict, only: set[str]) -> dict:
    from marketplace.kernel.db import make_engine

    result: dict = {"engine": kind}
    now = datetime.now(timezone.utc)
    today = now.date()
    if only & {"search", "bookings", "pages"}:
        with bench_database(kind) as db:
            engine = make_engine(db.url, pool_size=2)
            result["search"], result["pages"], result["loadgen"] = {}, {}, []
            for programmes, bookings in plan["search_sizes"]:
                _say(f"[{kind}] load: {programmes} programmes, {bookings} bookings …")
                report = generate(engine, programmes=programmes, bookings=bookings, organisations=290, today=today,
                                  now=now, with_events=False)
                result["loadgen"].append({"programmes": programmes, "bookings": bookings, "added_programmes": report.programmes,
                                          "added_bookings": report.bookings, "seconds": round(report.seconds, 1)})
                _say(f"[{kind}]   {report.lines()[0]}")
                if "search" in only:
                    _say(f"[{kind}] search at {programmes} programmes …")
                    result["search"][str(programmes)] = bench_search.run(
                        db.url, db.folder / "instance", today=today, per_kind=plan["search_per_kind"])
                if "search" in only:
                    from benchmarks import explain

                    result.setdefault("explain", {})[str(programmes)] = explain.collect(engine, today=today)
                if "pages" in only:
                    _say(f"[{kind}] pages at {programmes} programmes …")
                    result["pages"][str(programmes)] = bench_pages.run(
                        db.url, db.folder / "instance", engine, today=today, now=now, per_kind=plan["search_per_kind"] // 2,
                        page_timeout=plan["page_timeout"])
            if "bookings" in only:
                result["bookings"] = []
                per_client_total = plan["booking_requests"]
                for clients in plan["booking_clients"]:
                    _say(f"[{kind}] booking requests, {clients} clients …")
                    result["bookings"].append(bench_bookings.run(
                        db.url, db.folder / "instance", engine, today=today, now=datetime.now(timezone.utc),
                        clients=clients, requests_per_client=max(10, per_client_total // clients), seed=clients,
                        threads=1))  # CPU-bound writes: plain processes beat threads sharing a GIL (RESULTS.md)
            engine.dispose()
    if "close" in only:
        with bench_database(kind, name="insatstorget_bench_close") as db:
            engine = make_engine(db.url, pool_size=2)
            _say(f"[{kind}] month close …")
            formats_up_to = plan["close_formats_up_to"]
            result["close"] = {}
            for size in plan["close_sizes"]:
                formats = tuple(fmt for fmt, limit in formats_up_to.items() if size <= limit)
                result["close"].update(bench_month_close.run(engine, db.url, db.folder, sizes=[size], now=now,
                                                             formats=formats, progress=_say))
            engine.dispose()
    return result


# --- the table --------------------------------------------------------------------------------


def _mark(ok: bool | None) -> str:
    return "" if ok is None else ("ok" if ok else "MISSED")


def table(result: dict) -> list[str]:
    """The figures as printed lines (see rows() for the same as data)."""
    lines = [f"== {result['engine']}", f"{'measure':58} {'value':>26}  target"]
    for name, value, target, mark in rows(result):
        lines.append(f"{name:58} {value:>26}  {target} {mark}".rstrip())
    return lines


def rows(result: dict) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, ok|MISSED|'') for every figure of one engine's result."""
    kind = result["engine"]
    rows: list[tuple[str, str, str, str]] = []

    def add(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        rows.append((name, value, target, _mark(ok)))

    for entry in result.get("loadgen", []):
        add(f"load generator: +{entry['added_programmes']} programmes, +{entry['added_bookings']} bookings",
            f"{entry['seconds']} s")
    for size, kinds in result.get("search", {}).items():
        trivial = kinds.get("healthz", {})
        targets = SEARCH_TARGETS.get(int(size))
        for label in ("healthz", "me", "selective", "text", "filters", "worst", "start_selective", "start_by"):
            figures = kinds.get(label)
            if not figures:
                continue
            value = f"p50 {figures['server_p50_ms']} / p95 {figures['server_p95_ms']} ms"
            target, ok = "", None
            if targets and label in ("selective", "worst", "start_selective", "start_by"):
                # start_by is held to the same targets: start_selective as selective, start_by as worst.
                limit = targets[0] if label in ("selective", "start_selective") else targets[1]
                target, ok = f"p95 ≤ {limit} ms", figures["server_p95_ms"] is not None and figures["server_p95_ms"] <= limit
            add(f"search {size} programmes: {label} (server)", value, target, ok)
            if label not in ("healthz",) and trivial.get("client_p95_ms"):
                ratio = figures["client_p95_ms"] / trivial["client_p95_ms"]
                limit_ok = ratio <= 3 if label in ("selective", "worst", "text", "filters", "start_selective",
                                                   "start_by") else None
                add(f"  client p95 {figures['client_p95_ms']} ms vs /healthz {trivial['client_p95_ms']} ms",
                    f"{ratio:.1f}×", "≤ 3×" if limit_ok is not None else "", limit_ok)
        totals = kinds.get("_totals")
        if totals:
            add(f"  matches (first query of each kind)", ", ".join(f"{k} {v}" for k, v in totals.items()))
    for size, kinds in result.get("pages", {}).items():
        for label, figures in kinds.items():
            if label.startswith("_") or not isinstance(figures, dict) or "server_p95_ms" not in figures:
                continue
            if figures.get("timed_out_after_s"):
                add(f"page {label} at {size} programmes", f"> {figures['timed_out_after_s']} s (stopped)", "paginated", False)
                continue
            size_note = f", {figures['bytes'] // 1024} KiB" if figures.get("bytes") else ""
            bad = {k: v for k, v in figures.get("statuses", {}).items() if k != "200"}
            add(f"page {label} at {size} programmes (server)",
                f"p50 {figures['server_p50_ms']} / p95 {figures['server_p95_ms']} ms{size_note}" + (f" {bad}" if bad else ""))
    for entry in result.get("bookings", []):
        target = BOOKING_TARGET[kind]
        add(f"bookings: {entry['clients']} clients, {entry['workers']} workers: accepted/s",
            f"{entry['accepted_per_second']}", f"≥ {target}/s", entry["accepted_per_second"] >= target)
        add(f"  answers {entry['statuses']}; p95 server {entry['server_p95_ms']} ms, client {entry['client_p95_ms']} ms", "")
        cpu = entry.get("cpu") or {}
        if cpu.get("server_cpu_ms") is not None:
            database = f", database {cpu['database_cpu_ms']}" if cpu.get("database_cpu_ms") is not None else ""
            add(f"  CPU ms per request: server {cpu['server_cpu_ms']}{database}, load client {cpu['client_cpu_ms']}",
                f"{cpu['cores_busy']} of {os.cpu_count()} cores busy")
        bare = entry.get("bare") or {}
        if bare.get("requests_per_second"):
            bare_cpu = bare.get("cpu") or {}
            add(f"  same clients on /healthz (Flask + one SELECT): CPU ms server {bare_cpu.get('server_cpu_ms')}, "
                f"database {bare_cpu.get('database_cpu_ms')}, client {bare_cpu.get('client_cpu_ms')}",
                f"{bare['requests_per_second']} requests/s")
        add("  programmes with an overbooked day after the run (all days)", str(entry["overbooked_days"]), "0",
            entry["overbooked_days"] == 0)
        for statement in entry.get("statements") or []:
            add(f"  database: {statement['statement']}",
                f"{statement['calls_per_request']} × {statement['exec_ms_per_call']} ms, {statement['wal_bytes_per_call']} B WAL")
    for size, entry in result.get("close", {}).items():
        close, raw = entry.get("close", {}), entry.get("raw", {})
        if "seconds" in close:
            ratio = entry.get("close_to_raw")
            add(f"close {size} placement-months: database part", f"{close['seconds']} s, +{close['peak_growth_mb']} MB")
            add(f"  raw bulk insert of the same rows", f"{raw.get('seconds')} s" + (f" (COPY {raw['copy_seconds']:.2f} s)" if raw.get("copy_seconds") else ""))
            add("  close ÷ raw insert", f"{ratio}×", "≤ 3×", ratio is not None and ratio <= 3)
        else:
            add(f"close {size}", "ERROR " + str(close.get("error")))
        for fmt in ("csv", "sie", "xlsx"):
            figures = entry.get(fmt)
            if not figures:
                continue
            if "seconds" not in figures:
                add(f"  {fmt}", "ERROR " + str(figures.get("error")))
                continue
            limit = 20 if fmt in ("csv", "sie") and int(size) >= 1_000_000 else None
            add(f"  {fmt} file", f"{figures['seconds']} s, +{figures['peak_growth_mb']} MB, {figures['bytes'] // 1024} KiB",
                f"≤ {limit} s" if limit else "", (figures["seconds"] <= limit) if limit else None)
        reclose = entry.get("reclose", {})
        if "closed_now" in reclose:
            ok = reclose["closed_now"] is False and reclose["lines_before"] == reclose["lines_after"] and reclose["files_unchanged"] in (True, None)
            add("  re-close writes nothing", f"{reclose['seconds']} s", "no line, no file", ok)
    return rows


def _markdown(result: dict, facts: dict, quick: bool) -> str:
    """One engine's figures as a Markdown table, for benchmarks/RESULTS.md."""
    out = [f"Engine: {result['engine']}. Machine: {facts['nproc']} cores ({facts['cpu']}), {facts['ram_gib']} GiB RAM, "
           f"Python {facts['python']}, SQLite {facts['sqlite']}, PostgreSQL {facts['postgresql']}; "
           f"commit {facts['commit']}, {facts['when']}" + (" (quick sizes)" if quick else ""),
           "", "| measure | value | target | |", "|---|---|---|---|"]
    for name, value, target, mark in rows(result):
        out.append(f"| {name.strip()} | {value} | {target} | {mark} |")
    for size, plans in result.get("explain", {}).items():
        out.append(f"\n#### Query plans at {size} programmes ({result['engine']})\n")
        for name, plan in plans.items():
            out.append(f"{name}:\n```\n{plan}\n```")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke test")
    parser.add_argument("--only", default="search,pages,bookings,close",
                        help="comma-separated subset of search,pages,bookings,close")
    args = parser.parse_args(argv)
    import signal

    # A terminated run still stops its servers and drops its databases (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    plan = QUICK if args.quick else FULL
    only = {part.strip() for part in args.only.split(",") if part.strip()}
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    facts = machine()
    _say("machine: " + ", ".join(f"{k}={v}" for k, v in facts.items()))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    everything = []
    for kind in engines:
        started = time.perf_counter()
        result = run_engine(kind, plan, only)
        result["machine"], result["quick"], result["seconds"] = facts, args.quick, round(time.perf_counter() - started, 1)
        path = RESULTS / f"{stamp}-{kind}{'-quick' if args.quick else ''}.json"
        path.write_text(json.dumps(result, indent=2, default=str))
        everything.append(result)
        lines = table(result)
        for line in lines:
            _say(line)
        markdown = path.with_suffix(".md")
        markdown.write_text(_markdown(result, facts, args.quick))
        _say(f"(written to {path.relative_to(ROOT)} and {markdown.name}, {result['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
