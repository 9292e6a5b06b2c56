"""Which statements take the database's time during a load, from pg_stat_statements.

The database's CPU per request (benchmarks/cpu.py) says how much a request costs PostgreSQL;
this says which statement it goes to: calls, execution time, rows and WAL written, per
statement shape, for the benchmark's own database only. It needs the server to load the
module (`shared_preload_libraries = 'pg_stat_statements'`, then a restart); without it, and
on SQLite, every reading is None and the benchmark runs as before.
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

_TOP = text("""
    SELECT calls, total_exec_time, rows, wal_bytes, query
    FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    ORDER BY total_exec_time DESC
    LIMIT :limit
""")


def available(engine: Engine) -> bool:
    """True where PostgreSQL has pg_stat_statements loaded (the extension is created if missing)."""
    if engine.dialect.name != "postgresql":
        return False
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"))
            connection.execute(text("SELECT 1 FROM pg_stat_statements LIMIT 1"))
        return True
    except DBAPIError:
        return False  # not in shared_preload_libraries, or the contrib package is missing


def reset(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_stat_statements_reset()"))


def top(engine: Engine, *, requests: int, limit: int = 12) -> list[dict]:
    """The statements that took most execution time since reset(), per request of the load."""
    with engine.connect() as connection:
        found = connection.execute(_TOP, {"limit": limit}).all()
    return [{
        "statement": _shape(query),
        "calls_per_request": round(calls / requests, 2),
        "exec_ms_per_request": round(total / requests, 3),
        "exec_ms_per_call": round(total / calls, 3) if calls else None,
        "rows_per_call": round(rows / calls, 1) if calls else None,
        "wal_bytes_per_call": int(wal / calls) if calls else None,
    } for calls, total, rows, wal, query in found]


def _shape(query: str) -> str:
    """A short name for the statement: its verb and table, and for a SELECT its first column,
    how many it reads and the table of its outermost FROM (two SELECTs on one table differ)."""
    query = re.sub(r"\s+", " ", query).strip()
    if not query.upper().startswith("SELECT "):
        head = re.match(r"(INSERT INTO|UPDATE|DELETE FROM) \w+", query, re.IGNORECASE)
        return head.group(0) if head else query[:60]
    depth, outer_from = 0, -1
    for position, character in enumerate(query):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0 and query.startswith(" FROM ", position):
            outer_from = position
            break
    if outer_from < 0:
        return query[:60]
    columns = [part.strip() for part in re.split(r",(?![^(]*\))", query[len("SELECT "):outer_from])]
    table = query[outer_from + len(" FROM "):].split(" ", 1)[0]
    more = f" … ({len(columns)} columns)" if len(columns) > 1 else ""
    return f"SELECT {columns[0][:40]}{more} FROM {table}" + (" FOR UPDATE" if "FOR UPDATE" in query else "")
