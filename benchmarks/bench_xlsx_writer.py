"""The XLSX writer alone: synthetic lines streamed from a generator into a file, no database.

    /work/venv/bin/python -m benchmarks.bench_xlsx_writer 10000 100000 1000000

Each size runs in a fresh subprocess so the peak resident memory (ru_maxrss) is that size's
own; "grown" is the peak minus the resident size just before writing, which stays flat when
the writer streams. CPU seconds are reported beside wall seconds because the machine is shared.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from billing.files import FileHeader
from billing.lines import Line, PairTotal

HEADER = FileHeader("2026-03", datetime(2026, 4, 5, 4, 0, tzinfo=timezone.utc))
PAIRS = [(f"B{b:02d}", f"P{p:02d}") for b in range(20) for p in range(20)]


def lines(count: int):
    """A generator, so the lines themselves never sit in memory (as with iter_closed_lines)."""
    per_pair = -(-count // len(PAIRS))
    made = 0
    for buyer, provider in PAIRS:
        for index in range(per_pair):
            if made == count:
                return
            made += 1
            correction = index % 10 == 9
            yield Line("2026-03", "correction" if correction else "charge", "2026-02" if correction else "", made,
                       f"B-2026-{made:07d}", f"PRG-{index % 500}", f"Café \"Torget\" – Åkeshov {index % 500}", 1,
                       buyer, f"Stadsdelsförvaltning {buyer}", "1100", "7691", 2, provider,
                       f"Arbetsmarknadsförvaltningen {provider}", "3100", "3691", date(2026, 3, 1), date(2026, 3, 31),
                       -16 if correction else 31, 450_000, "month", -232_258 if correction else 450_000 + index,
                       "month: 4500.00 × 31/31 days")


def totals(count: int) -> list[PairTotal]:
    counts: dict[tuple[str, str], list[int]] = {}
    for line in lines(count):
        entry = counts.setdefault((line.buyer_code, line.provider_code), [line.buyer_name, line.provider_name, 0, 0])
        entry[2] += 1
        entry[3] += line.amount_ore
    return [PairTotal(b, n, p, m, a, c) for (b, p), (n, m, c, a) in sorted(counts.items())]


def one(count: int) -> dict:
    from billing.files.xlsx import write_xlsx_to

    pair_totals = totals(count)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "month.xlsx"
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        wall, cpu = time.perf_counter(), time.process_time()
        with path.open("wb") as out:
            write_xlsx_to(out, HEADER, lines(count), pair_totals)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        size = path.stat().st_size
    return {"lines": count, "seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "rows_per_second": round(count / wall), "peak_rss_mib": round(peak / 1024, 1),
            "grown_mib": round((peak - before) / 1024, 1), "bytes": size}


def main() -> None:
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(one(int(sys.argv[2]))))
        return
    for count in sys.argv[1:] or ["10000", "100000"]:
        run = subprocess.run([sys.executable, "-m", "benchmarks.bench_xlsx_writer", "--one", count],
                             capture_output=True, text=True, check=True)
        print(run.stdout.strip(), flush=True)


if __name__ == "__main__":
    main()
