"""The scheduler's bookkeeping: one row per job run, and a lease per job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from catalog.types import UTCDateTime


class JobRun(SQLModel, table=True):
    """One run of a scheduled job for a run key; the unique key makes a second run a no-op."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "run_key", name="uq_job_run"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(max_length=100)
    run_key: str = Field(max_length=100)
    started_at: datetime = Field(sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    result: str | None = Field(default=None, max_length=500)


class JobLock(SQLModel, table=True):
    """A lease on one scheduled job, so two schedulers never run it at the same time."""

    __tablename__ = "job_lock"

    job_id: str = Field(primary_key=True, max_length=100)
    holder: str = Field(max_length=100)
    locked_until: datetime = Field(sa_type=UTCDateTime)
