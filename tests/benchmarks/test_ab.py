"""The paired A/B runs two trees' booking requests in turn against one PostgreSQL database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[2]


def test_two_trees_take_turns_and_each_books_every_request():
    test_url = os.environ.get("INSATSTORGET_TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: the A/B reads the local PostgreSQL server's CPU")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSATSTORGET_")}
    # The suite's server, wherever it runs (CI may start a throwaway cluster on another port).
    env["INSATSTORGET_BENCH_PG"] = make_url(test_url).set(database="postgres").render_as_string(hide_password=False)
    result = subprocess.run([sys.executable, "-m", "benchmarks.ab", str(ROOT), str(ROOT), "--rounds", "2", "-n", "3",
                             "--programmes", "60", "--bookings", "300"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith(f"| {ROOT}")]
    assert len(rows) == 2, result.stdout
    assert all(row.rstrip(" |").endswith("| 6") for row in rows), rows  # 2 bursts × 3 requests, all accepted
    assert re.search(r"paired difference, .*median [+-]\d+\.\d\d ms", result.stdout), result.stdout
