"""The delivery job (scheduled in marketplace/scheduler.py)."""

from __future__ import annotations

from marketplace.webhooks import service


def deliver_webhooks(ctx) -> int:
    return service.deliver_due(ctx.engine, now=ctx.now, production=ctx.settings.is_production)
