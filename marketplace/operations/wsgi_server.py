"""Run gunicorn from Python so `insatstorget serve` needs no separate command line."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from marketplace.operations.wsgi import app

        return app


def run_gunicorn(*, host: str, port: int, workers: int, threads: int = 4) -> None:
    """threads=1 runs plain pre-forked processes (gunicorn's sync worker)."""
    _Server({
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "accesslog": "-",
        "timeout": 60,
        "graceful_timeout": 20,
    }).run()
