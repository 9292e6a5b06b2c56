"""The per-statement breakdown of the booking benchmark's database time (pg_stat_statements)."""

from __future__ import annotations

from sqlalchemy import create_engine

from benchmarks import statements


def test_statement_shapes_name_the_verb_table_and_outermost_from():
    lock_read = ("SELECT programme.id, programme.code, (SELECT idempotency_record.booking_id FROM idempotency_record "
                 "WHERE idempotency_record.key = $1) AS replayed FROM programme JOIN organisation AS provider "
                 "ON provider.id = programme.organisation_id WHERE programme.id = $2 FOR UPDATE OF programme")
    assert statements._shape(lock_read) == "SELECT programme.id … (3 columns) FROM programme FOR UPDATE"
    assert statements._shape("SELECT booking.start_date, booking.end_date\n FROM booking WHERE x = $1") == \
        "SELECT booking.start_date … (2 columns) FROM booking"
    assert statements._shape("INSERT INTO audit_log (at, actor_id) VALUES ($1, $2)") == "INSERT INTO audit_log"
    assert statements._shape("UPDATE booking SET ref=$1 WHERE booking.id = $2") == "UPDATE booking"
    assert statements._shape("DELETE FROM programme_full_run WHERE a = $1") == "DELETE FROM programme_full_run"


def test_sqlite_has_no_statement_statistics_and_the_benchmark_goes_on_without(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert statements.available(engine) is False
    engine.dispose()
