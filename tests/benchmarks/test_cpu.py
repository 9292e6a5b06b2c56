"""The CPU meter the booking benchmark uses to say which process sets the throughput limit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest

from benchmarks import cpu

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc (Linux)")

BURN = ("import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass\n"
        "print('burnt', flush=True)\ntime.sleep(30)\n")


def test_a_process_tree_counts_its_childrens_cpu():
    before = cpu.tree_seconds(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "burnt"  # 0.4 s of CPU spent; now it sleeps, alive
        after = cpu.tree_seconds(os.getpid())
        assert after - before >= 0.3
        assert cpu.tree_seconds(child.pid) >= 0.3
    finally:
        child.kill()
        child.communicate()  # waits, and closes the pipe
    assert cpu.tree_seconds(child.pid) is None  # gone


def test_own_cpu_grows_with_work_and_the_meter_divides_by_requests():
    meter = cpu.Meter(os.getpid(), postgresql=False)
    meter.start()
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    figures = meter.stop(requests=100, seconds=0.3)
    assert figures["client_cpu_ms"] >= 2.5  # ≥ 0.3 s over 100 requests
    assert figures["server_cpu_ms"] >= 2.5  # the "server" here is this very process
    assert figures["database_cpu_ms"] is None
    assert 0.8 <= figures["cores_busy"] <= 4


def test_the_booking_benchmark_reports_cpu_per_request_and_the_bare_endpoint(database_template):
    from benchmarks import bench_bookings
    from benchmarks.harness import bench_database
    from benchmarks.loadgen import generate
    from marketplace.kernel.db import make_engine

    kind = database_template["kind"]
    now = datetime.now(timezone.utc)
    with bench_database(kind, name="insatstorget_test_cpu") as db:
        engine = make_engine(db.url)
        generate(engine, programmes=40, bookings=200, organisations=20, today=now.date(), now=now, with_events=False)
        result = bench_bookings.run(db.url, db.folder / "instance", engine, today=now.date(), now=now, workers=1,
                                    clients=2, requests_per_client=10, threads=1)
        engine.dispose()
    assert result["accepted"] > 0 and result["overbooked_days"] == 0
    assert result["cpu"]["server_cpu_ms"] > 0 and result["cpu"]["client_cpu_ms"] > 0
    assert (result["cpu"]["database_cpu_ms"] is not None) == (kind == "postgresql")
    assert result["bare"]["requests_per_second"] > 0 and result["bare"]["errors"] == 0
    assert result["bare"]["cpu"]["server_cpu_ms"] < result["cpu"]["server_cpu_ms"]  # a booking costs more than /healthz


def test_the_benchmark_table_shows_the_cpu_budget_beside_the_bare_endpoint():
    from benchmarks.run import rows

    entry = {"clients": 16, "workers": 4, "accepted_per_second": 66.7, "statuses": {"201": 946, "409": 254},
             "server_p95_ms": 66.6, "client_p95_ms": 246.2, "overbooked_days": 0,
             "cpu": {"server_cpu_ms": 16.71, "database_cpu_ms": 4.58, "client_cpu_ms": 0.91, "cores_busy": 1.88},
             "bare": {"requests_per_second": 540.3, "errors": 0,
                      "cpu": {"server_cpu_ms": 2.58, "database_cpu_ms": 0.28, "client_cpu_ms": 0.56, "cores_busy": 1.9}}}
    lines = {name.strip(): (value, mark) for name, value, _target, mark in rows({"engine": "postgresql", "bookings": [entry]})}
    assert lines["bookings: 16 clients, 4 workers: accepted/s"] == ("66.7", "MISSED")
    assert lines["CPU ms per request: server 16.71, database 4.58, load client 0.91"][0].startswith("1.88 of ")
    bare = next(value for name, (value, _mark) in lines.items() if name.startswith("same clients on /healthz"))
    assert bare == "540.3 requests/s"
