"""CPU seconds spent by the processes a benchmark involves, read from /proc (Linux).

On a shared 2-core machine throughput is CPU divided among the server, the database and the
load client; measuring each one's share per request says which part sets the limit
(benchmarks/RESULTS.md). Where /proc is missing, every reading is None.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _processes() -> list[tuple[int, str, int, float]]:
    """(pid, name, parent pid, CPU seconds) of every visible process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended while we looked
        name, fields = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        found.append((int(stat.parent.name), name, int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK))
    return found


def database_seconds() -> float | None:
    """CPU used so far by every local PostgreSQL process (backends, WAL writer, ...), or None."""
    seconds = [cpu for _pid, name, _parent, cpu in _processes() if name == "postgres" or name.startswith("postgres:")]
    return sum(seconds) if seconds else None


def tree_seconds(root: int) -> float | None:
    """CPU used so far by process `root` and its living descendants (a gunicorn master and workers)."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, _name, parent, _cpu in processes:
        children.setdefault(parent, []).append(pid)
    cpu_of = {pid: cpu for pid, _name, _parent, cpu in processes}
    if root not in cpu_of:
        return None
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu_of.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def own_seconds() -> float:
    """CPU used so far by this process, all threads (the load client)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Meter:
    """CPU of server, database (PostgreSQL: its processes; SQLite: inside the server) and this
    process between start() and stop(), per request."""

    def __init__(self, server_pid: int, *, postgresql: bool):
        self.server_pid, self.postgresql = server_pid, postgresql

    def _read(self) -> dict[str, float | None]:
        return {"server": tree_seconds(self.server_pid), "database": database_seconds() if self.postgresql else None,
                "client": own_seconds()}

    def start(self) -> None:
        self.before = self._read()

    def stop(self, requests: int, seconds: float) -> dict:
        after = self._read()
        spent = {part: (after[part] - self.before[part]) if after[part] is not None and self.before[part] is not None
                 else None for part in after}
        known = [value for value in spent.values() if value is not None]
        return {
            **{f"{part}_cpu_ms": round(1000 * value / requests, 2) if value is not None and requests else None
               for part, value in spent.items()},
            "cores_busy": round(sum(known) / seconds, 2) if seconds else None,
        }
