"""Engines, sessions, the transaction helper and the programme lock. No Flask.

SQLite runs in WAL mode with foreign keys and a busy timeout; a transaction that must
decide capacity starts with BEGIN IMMEDIATE, so two writers can never both read the
same free place. PostgreSQL takes a row lock (SELECT … FOR UPDATE) on the programme.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from marketplace.kernel.sqlite_gate import gate_for

SQLITE_BUSY_TIMEOUT_MS = 15_000
# The planner's default (4.0) prices random reads for spinning disks and then prefers whole-table
# scans: a catalogue prefix search at 100 000 programmes took 220 ms instead of 22 ms
# (benchmarks/RESULTS.md). 1.1 is the usual figure for SSD or cached data; set per session,
# so the server's own configuration is left alone.
RANDOM_PAGE_COST = 1.1


def make_engine(url: str, *, pool_size: int = 5, lock_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> Engine:
    """Create an engine with the settings each database needs to be safe under concurrency.

    lock_timeout_ms bounds how long a statement waits for a lock (SQLite busy timeout,
    PostgreSQL lock_timeout); past it the request fails cleanly with 503 + Retry-After.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": lock_timeout_ms / 1000})
        _configure_sqlite(engine, lock_timeout_ms)
        engine.write_gate = gate_for(engine.url.database, lock_timeout_ms / 1000)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_pre_ping=True,
                         connect_args={"options": f"-c lock_timeout={int(lock_timeout_ms)} -c random_page_cost={RANDOM_PAGE_COST}"})


def _configure_sqlite(engine: Engine, lock_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> None:
    # The pysqlite driver's own transaction handling cannot express BEGIN IMMEDIATE, so
    # we switch it off and emit BEGIN ourselves (SQLAlchemy's documented recipe).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(lock_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        options = connection.get_execution_options()
        if options.get("sqlite_unsafe_no_begin"):
            return  # test-only (unsafe_disable_capacity_lock): each statement commits on its own
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate", False) else "BEGIN")


def is_sqlite(session_or_engine) -> bool:
    bind = session_or_engine.get_bind() if isinstance(session_or_engine, Session) else session_or_engine
    return bind.dialect.name == "sqlite"


@contextmanager
def transaction(session: Session, *, write_lock: bool = False) -> Iterator[Session]:
    """Run one use case atomically: commit on success, roll back on any exception.

    write_lock=True is for use cases that check capacity or money before writing. On
    SQLite it ends any read snapshot and begins with BEGIN IMMEDIATE (in WAL mode a
    reader that later writes would otherwise fail); on PostgreSQL the use case takes row
    locks itself (lock_programme).
    """
    unsafe = session.info.get("unsafe_disable_capacity_lock")  # test-only, see below
    gate = getattr(session.get_bind(), "write_gate", None) if write_lock and not unsafe else None
    with gate.held() if gate is not None else nullcontext():
        if write_lock and is_sqlite(session):
            if session.in_transaction():
                session.rollback()
            # Test-only: without BEGIN, check and insert are separate statements, so the race
            # test can show overbooking (a deferred WAL transaction would fail instead).
            session.connection(execution_options={"sqlite_unsafe_no_begin": True} if unsafe else {"sqlite_immediate": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def lock_programme(session: Session, programme_id: int) -> None:
    """Serialise every capacity decision for one programme until the transaction ends.

    On PostgreSQL this is a row lock. On SQLite the whole database is already locked by
    transaction(write_lock=True); calling this outside such a transaction is a bug.
    """
    from catalog.models import Programme

    if _lock_is_database_wide(session):
        return
    session.execute(select(Programme.id).where(Programme.id == programme_id).with_for_update())


def row_locks_needed(session: Session) -> bool:
    """Whether a statement that decides capacity must lock its rows (SELECT … FOR UPDATE).

    False where the transaction already holds a database-wide lock (SQLite's BEGIN IMMEDIATE),
    so one statement can read, and on PostgreSQL lock, what a use case decides on.
    """
    return not _lock_is_database_wide(session)


def _lock_is_database_wide(session: Session) -> bool:
    """True where no row lock is needed: SQLite's BEGIN IMMEDIATE (or the race test's opt-out)."""
    if session.info.get("unsafe_disable_capacity_lock"):
        return True
    if is_sqlite(session):
        options = session.connection().get_execution_options()
        if not options.get("sqlite_immediate"):
            raise RuntimeError("lock_programme needs transaction(session, write_lock=True) on SQLite")
        return True
    return False


def allocate_id(session: Session, table_name: str) -> int | None:
    """Take the id the next row of `table_name` will carry, before inserting it, so values derived
    from the id go out in the row's own INSERT instead of an UPDATE that follows it.

    On PostgreSQL this is the table's sequence (unique under any concurrency; a rolled-back
    transaction leaves a gap, as an insert's own nextval would). SQLite has no sequence: None,
    and the caller lets the insert choose the id.
    """
    if is_sqlite(session):
        return None
    return session.execute(_next_id_statement(table_name)).scalar_one()


@functools.cache  # built once per table: a statement costs more Python to build than to run
def _next_id_statement(table_name: str):
    return select(func.nextval(func.pg_get_serial_sequence(table_name, "id")))


def try_advisory_lock(session: Session, key: str) -> bool:
    """Take a lock named `key` for the current transaction, or return False if held elsewhere.

    Used by scheduler jobs so that two schedulers never run the same job at once.
    """
    if is_sqlite(session):
        # BEGIN IMMEDIATE already excludes every other writer for the transaction.
        return True
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext(:k))"), {"k": key}).scalar())
