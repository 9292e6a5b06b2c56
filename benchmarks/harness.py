"""What every benchmark needs: a throwaway database, real gunicorn servers, a keep-alive load client.

Server time is read from each response's `Server-Timing: app;dur=` header (Flask's own
time for the request, marketplace/server_timing.py); client time is the latency measured
by the client over loopback, which adds gunicorn, the socket and the client's own queueing.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("INSATSTORGET_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
BENCH_SECRET = "benchmark-secret-key-" + "x" * 32
_TIMING = re.compile(r"app;dur=([0-9.]+)")


# --- databases ---------------------------------------------------------------------------


@dataclass
class BenchDatabase:
    kind: str  # sqlite | postgresql
    url: str
    folder: Path


@contextmanager
def bench_database(kind: str, name: str = "insatstorget_bench", keep: bool = False) -> Iterator[BenchDatabase]:
    """A fresh, migrated database: a SQLite file in a temp folder, or `name` on the PostgreSQL server."""
    from marketplace.kernel.db import make_engine
    from marketplace.operations.schema import init_db

    folder = Path(tempfile.mkdtemp(prefix=f"insatstorget-bench-{kind}-"))
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
    else:
        admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_SERVER).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    init_db(engine)
    engine.dispose()
    try:
        yield BenchDatabase(kind, url, folder)
    finally:
        if not keep:
            if kind == "postgresql":
                admin = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
            shutil.rmtree(folder, ignore_errors=True)


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(database_url: str, instance: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "INSATSTORGET_DATABASE_URL": database_url, "INSATSTORGET_SECRET_KEY": BENCH_SECRET,
           "INSATSTORGET_ENV": "development", "INSATSTORGET_INSTANCE_PATH": str(instance),
           "INSATSTORGET_SCHEDULER_IN_PROCESS": "false", "INSATSTORGET_LOG_LEVEL": "WARNING",
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.update(extra)
    return env


class Server:
    """`insatstorget serve --workers N` (gunicorn, gthread) as a subprocess on a free port."""

    def __init__(self, database_url: str, instance: Path, *, workers: int = 2, threads: int = 4, env: dict | None = None):
        self.port = free_port()
        self.workers = workers
        instance.mkdir(parents=True, exist_ok=True)
        self.log = (instance / f"server-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "marketplace.cli", "serve", "--port", str(self.port), "--workers", str(workers),
             "--threads", str(threads)],
            env=service_env(database_url, instance, **(env or {})), stdout=self.log, stderr=subprocess.STDOUT,
            cwd=str(ROOT),
        )
        self._wait()

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}; see {self.log.name}")
            try:
                status, _, _ = request("127.0.0.1", self.port, "GET", "/healthz")
                if status == 200:
                    # Every worker imports the app lazily; warm them all before measuring.
                    for _ in range(self.workers * 8):
                        request("127.0.0.1", self.port, "GET", "/healthz")
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not answer in time")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# --- the client ----------------------------------------------------------------------------


def request(host: str, port: int, method: str, path: str, *, body: bytes | None = None,
            headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def api_token(port: int, email: str, password: str) -> str:
    status, _, body = request("127.0.0.1", port, "POST", "/api/v1/auth/token",
                              body=json.dumps({"email": email, "password": password}).encode(),
                              headers={"Content-Type": "application/json"})
    if status != 200:
        raise RuntimeError(f"token for {email}: {status} {body[:200]!r}")
    return json.loads(body)["token"]


def page_session(port: int, email: str, password: str, *, totp_secret: str | None = None) -> str:
    """Sign in through the real page (CSRF token, cookie, second factor when asked); returns a Cookie header."""
    cookies: dict[str, str] = {}

    def call(method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        text_body = response.read().decode("utf-8", "replace")
        location = response.getheader("Location") or ""
        connection.close()
        return response.status, {"location": location}, text_body

    def csrf(html: str) -> str:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', html)
        return match.group(1) if match else ""

    _, _, html = call("GET", "/logga-in")
    status, headers, html = call("POST", "/logga-in", {"email": email, "password": password, "csrf_token": csrf(html)})
    if status != 302:
        raise RuntimeError(f"sign-in of {email} answered {status}")
    if totp_secret:
        import pyotp

        totp = pyotp.TOTP(totp_secret)
        _, _, html = call("GET", "/logga-in/kod")
        status, headers, html = call("POST", "/logga-in/kod", {"code": totp.now(), "csrf_token": csrf(html)})
        if status == 401:  # this code was used by an earlier sign-in (replay protection): take the next one
            time.sleep(totp.interval - time.time() % totp.interval + 1)
            _, _, html = call("GET", "/logga-in/kod")
            status, headers, _ = call("POST", "/logga-in/kod", {"code": totp.now(), "csrf_token": csrf(html)})
        if status != 302:
            raise RuntimeError(f"second factor of {email} answered {status}")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


@dataclass
class Sample:
    label: str
    status: int
    client_ms: float
    server_ms: float | None


@dataclass
class Load:
    samples: list[Sample] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)


RequestFactory = Callable[[int, int], tuple[str, str, str, bytes | None, dict]]
# (client index, request number) -> (label, method, path, body, headers)


def run_load(port: int, factory: RequestFactory, *, clients: int, requests_per_client: int | None = None,
             seconds: float | None = None) -> Load:
    """`clients` threads, each on one keep-alive connection, sending until the count or the time is reached."""
    load = Load()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds if seconds else None
    start_gate = threading.Barrier(clients + 1)

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        local: list[Sample] = []
        start_gate.wait()
        number = 0
        try:
            while True:
                if requests_per_client is not None and number >= requests_per_client:
                    break
                if deadline is not None and time.perf_counter() >= deadline:
                    break
                label, method, path, body, headers = factory(index, number)
                number += 1
                started = time.perf_counter()
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as error:
                    with lock:
                        load.errors.append(f"{label}: {error!r}")
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                match = _TIMING.search(response.getheader("Server-Timing") or "")
                local.append(Sample(label, response.status, elapsed, float(match.group(1)) if match else None))
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        finally:
            connection.close()
            with lock:
                load.samples.extend(local)

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load


# --- figures -------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def summarise(samples: list[Sample], seconds: float | None = None) -> dict:
    server = [s.server_ms for s in samples if s.server_ms is not None]
    client = [s.client_ms for s in samples]
    statuses: dict[str, int] = {}
    for sample in samples:
        statuses[str(sample.status)] = statuses.get(str(sample.status), 0) + 1
    result = {
        "requests": len(samples),
        "statuses": statuses,
        "server_p50_ms": _round(percentile(server, 0.50)),
        "server_p95_ms": _round(percentile(server, 0.95)),
        "server_mean_ms": _round(statistics.fmean(server)) if server else None,
        "client_p50_ms": _round(percentile(client, 0.50)),
        "client_p95_ms": _round(percentile(client, 0.95)),
    }
    if seconds:
        result["per_second"] = round(len(samples) / seconds, 1)
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def rss_mb() -> float:
    """Resident memory of this process now (Linux)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def reset_peak_rss() -> None:
    """Start a new high-water mark (Linux: writing 5 to clear_refs resets VmHWM)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def peak_rss_mb() -> float:
    """Highest resident memory since the last reset_peak_rss() (VmHWM), else since start."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
