"""The paired A/B runs two trees' booking requests in turn against one PostgreSQL database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_two_trees_take_turns_and_each_books_every_request():
    if not os.environ.get("INSATSTORGET_TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("PostgreSQL only: the A/B reads the local PostgreSQL server's CPU")
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSATSTORGET_")}
    result = subprocess.run([sys.executable, "-m", "benchmarks.ab", str(ROOT), str(ROOT), "--rounds", "2", "-n", "3",
                             "--programmes", "60", "--bookings", "300"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith(f"| {ROOT}")]
    assert len(rows) == 2, result.stdout
    assert all(row.rstrip(" |").endswith("| 6") for row in rows), rows  # 2 bursts × 3 requests, all accepted
    assert re.search(r"paired difference, .*median [+-]\d+\.\d\d ms", result.stdout), result.stdout
