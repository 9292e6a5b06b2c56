"""The production server: `insatstorget serve` starts gunicorn workers that answer."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_workers_that_answer(settings, tmp_path):
    env = {**os.environ, "INSATSTORGET_DATABASE_URL": settings.database_url, "INSATSTORGET_SECRET_KEY": "x" * 32,
           "INSATSTORGET_ENV": "production", "INSATSTORGET_INSTANCE_PATH": str(tmp_path),
           "INSATSTORGET_RETENTION_DECISION": "Socialnämndens gallringsbeslut, dnr SN 2026/123"}
    _assert_answers(["serve", "--workers", "2"], env)


def test_run_starts_the_development_server_with_its_scheduler(settings, tmp_path):
    env = {**os.environ, "INSATSTORGET_DATABASE_URL": settings.database_url, "INSATSTORGET_ENV": "development",
           "INSATSTORGET_INSTANCE_PATH": str(tmp_path)}
    _assert_answers(["run"], env)


def _assert_answers(command: list[str], env: dict) -> None:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "marketplace.cli", *command, "--port", str(port)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    assert response.status == 200
                    assert response.headers["X-Content-Type-Options"] == "nosniff"
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(process.stdout.read().decode() if process.poll() is not None else "server did not start")
                time.sleep(0.3)
    finally:
        process.terminate()
        process.communicate(timeout=20)  # waits, and closes the pipe
