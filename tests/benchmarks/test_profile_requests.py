"""The per-request profile runs end to end on a tiny catalogue and reports accepted bookings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_profile_reports_cpu_and_statements_per_request():
    # A subprocess: the profile configures the app through the environment, as a real run does.
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSATSTORGET_")}
    result = subprocess.run([sys.executable, "-m", "benchmarks.profile_requests", "--engine", "sqlite", "--programmes", "60",
                             "--bookings", "300", "-n", "5"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    booking_row = next(line for line in result.stdout.splitlines() if line.startswith("| booking request"))
    assert "{201: 5}" in booking_row
    assert any(line.startswith("| search: worst") and "{200: 5}" in line for line in result.stdout.splitlines())
