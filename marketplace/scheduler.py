"""The schedule (one list, JOBS) and how a job runs: under a lease, so two schedulers never
run one job at once. Composition root: it may import billing's jobs.

Each job function takes a JobContext and returns a count; it opens its own transactions and
is idempotent for its `now`, so a job killed halfway is completed by the next run.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from marketplace.kernel import clock
from marketplace.kernel.config import Settings
from marketplace.kernel.db import transaction
from marketplace.kernel.job_models import JobLock

_log = logging.getLogger(__name__)
LEASE = timedelta(minutes=30)
HOLDER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class JobContext:
    engine: object
    settings: Settings
    now: datetime


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[JobContext], int]
    trigger: object


def wire_events() -> None:
    """Connect the event listeners the features do not know of (idempotent; app and scheduler both call it)."""
    from billing.signals import month_closed
    from marketplace.followups.signals import followup_due
    from marketplace.webhooks import handlers as webhook_handlers

    webhook_handlers.connect()
    month_closed.connect(webhook_handlers.on_month_closed, weak=False)
    followup_due.connect(webhook_handlers.on_followup_due, weak=False)


def _jobs() -> tuple[JobSpec, ...]:
    """Every scheduled job, in one place. Times are Europe/Stockholm."""
    specs: list[JobSpec] = []
    try:
        from marketplace.bookings import jobs as booking_jobs
    except ImportError:
        booking_jobs = None
    if booking_jobs is not None:
        specs += [
            JobSpec("marketplace.expire_holds", booking_jobs.expire_holds, IntervalTrigger(minutes=5)),
            JobSpec("marketplace.start_placements", booking_jobs.start_placements, CronTrigger(hour="0,6", minute=5)),
            JobSpec("marketplace.send_mail", booking_jobs.send_mail, IntervalTrigger(minutes=1)),
            JobSpec("marketplace.refresh_next_free_dates", booking_jobs.refresh_next_free_dates, IntervalTrigger(minutes=1)),
        ]
    for module, names in (
        ("marketplace.followups.jobs", (("remind_overdue_followups", CronTrigger(hour=7, minute=0)),)),
        ("marketplace.notifications.jobs", (("send_daily_digests", CronTrigger(hour=7, minute=0)),)),
        ("marketplace.programmes.jobs", (("remind_unconfirmed_programmes", CronTrigger(hour=7, minute=15)),
                                         ("mark_stale_programmes", CronTrigger(hour=0, minute=15)),
                                         ("pause_expired_programmes", CronTrigger(hour=0, minute=10)))),
        ("marketplace.privacy.retention_job", (("erase_expired_personal_data", CronTrigger(hour=2, minute=30)),)),
        ("billing.jobs", (("close_previous_month", None),)),
        ("marketplace.webhooks.jobs", (("deliver_webhooks", IntervalTrigger(minutes=1)),)),
    ):
        try:
            package = __import__(module, fromlist=["_"])
        except ModuleNotFoundError:
            continue
        for name, trigger in names:
            func = getattr(package, name, None)
            if func is not None:
                specs.append(JobSpec(f"{module.split('.')[0]}.{name}", func, trigger or CronTrigger(hour=6, minute=0)))
    return tuple(specs)


def jobs() -> tuple[JobSpec, ...]:
    wire_events()  # jobs move bookings too (start, end): their events reach the outbox
    return _jobs()


def _acquire(engine, job_id: str, now: datetime) -> bool:
    with Session(engine) as session:
        try:
            with transaction(session):
                taken = session.execute(
                    update(JobLock)
                    .where(JobLock.job_id == job_id, (JobLock.locked_until < now) | (JobLock.holder == HOLDER))
                    .values(holder=HOLDER, locked_until=now + LEASE)
                ).rowcount
                if not taken:
                    exists = session.execute(select(JobLock.job_id).where(JobLock.job_id == job_id)).first()
                    if exists:
                        return False
                    session.add(JobLock(job_id=job_id, holder=HOLDER, locked_until=now + LEASE))
        except IntegrityError:
            return False  # another scheduler inserted the lock first
    return True


def _release(engine, job_id: str) -> None:
    with Session(engine) as session, transaction(session):
        session.execute(
            update(JobLock).where(JobLock.job_id == job_id, JobLock.holder == HOLDER).values(locked_until=clock.now() - timedelta(seconds=1))
        )


def run_job(spec: JobSpec, engine, settings: Settings, now: datetime | None = None) -> int | None:
    """Run one job under its lease; returns its count, or None when another scheduler holds it."""
    now = now or clock.now()
    if not _acquire(engine, spec.id, now):
        _log.info("job %s skipped: running elsewhere", spec.id)
        return None
    try:
        count = spec.func(JobContext(engine=engine, settings=settings, now=now))
        _log.info("job %s done: %s", spec.id, count)
        return count
    finally:
        _release(engine, spec.id)


def _build(scheduler, engine, settings: Settings):
    for spec in jobs():
        scheduler.add_job(
            run_job, spec.trigger, args=(spec, engine, settings), id=spec.id, name=spec.id,
            coalesce=True, max_instances=1, replace_existing=True, misfire_grace_time=3600,
        )
    return scheduler


def start_in_process(engine, settings: Settings) -> BackgroundScheduler:
    """Development: jobs run in a thread of the `run` process."""
    scheduler = _build(BackgroundScheduler(timezone=clock.STOCKHOLM), engine, settings)
    scheduler.start()
    return scheduler


def run_blocking(engine, settings: Settings) -> None:
    """Production: `insatstorget scheduler`, one process beside the web workers."""
    scheduler = _build(BlockingScheduler(timezone=clock.STOCKHOLM), engine, settings)
    _log.info("scheduler started with %d jobs: %s", len(scheduler.get_jobs()), ", ".join(j.id for j in scheduler.get_jobs()))
    scheduler.start()
