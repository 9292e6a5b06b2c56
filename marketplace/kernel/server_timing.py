"""A `Server-Timing: app;dur=<ms>` header on every response, for benchmarks and browsers' dev tools.

It measures the time Flask spends on a request (before the first before_request hook to
after the last after_request hook), which is what the benchmarks report as server time;
it costs two perf_counter() calls a request and reveals nothing but a duration.
"""

from __future__ import annotations

from time import perf_counter

from flask import Flask, Response, g


def _start() -> None:
    g.server_timing_start = perf_counter()


def _finish(response: Response) -> Response:
    started = g.get("server_timing_start")
    if started is not None:
        response.headers["Server-Timing"] = f"app;dur={(perf_counter() - started) * 1000:.2f}"
    return response


def install(app: Flask) -> None:
    """Register first, so the timer starts before and stops after every other hook."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)  # hooks run in reverse order
