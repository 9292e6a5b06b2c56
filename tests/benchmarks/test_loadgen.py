"""The load generator: realistic rows, deterministic, idempotent, never overbooked."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from benchmarks.loadgen import generate, overbooked_days

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _counts(engine):
    with engine.connect() as connection:
        return {
            "programmes": connection.execute(text("SELECT COUNT(*) FROM programme WHERE code LIKE 'LG-%'")).scalar(),
            "bookings": connection.execute(text("SELECT COUNT(*) FROM booking")).scalar(),
            "organisations": connection.execute(text("SELECT COUNT(*) FROM organisation")).scalar(),
            "statuses": dict(connection.execute(text("SELECT status, COUNT(*) FROM booking GROUP BY status")).all()),
            "unlinked": connection.execute(text(
                "SELECT COUNT(*) FROM programme p WHERE NOT EXISTS "
                "(SELECT 1 FROM programme_target_group t WHERE t.programme_id = p.id)")).scalar(),
            "empty_search_text": connection.execute(text(
                "SELECT COUNT(*) FROM programme WHERE search_text = ''")).scalar(),
        }


def test_generates_the_requested_sizes_with_every_status_and_no_overbooked_day(engine):
    report = generate(engine, programmes=120, bookings=4000, organisations=40, today=NOW.date(), now=NOW)

    counts = _counts(engine)
    assert (report.programmes, report.bookings) == (120, 4000)
    assert counts["programmes"] == 120 and counts["bookings"] == 4000 and counts["organisations"] == 40
    assert {"ended", "active", "approved", "requested", "rejected", "cancelled", "expired"} <= set(counts["statuses"])
    assert counts["unlinked"] == 0 and counts["empty_search_text"] == 0
    assert overbooked_days(engine, now=NOW) == []


def test_running_again_adds_nothing(engine):
    generate(engine, programmes=50, bookings=500, today=NOW.date(), now=NOW)
    before = _counts(engine)

    again = generate(engine, programmes=50, bookings=500, today=NOW.date(), now=NOW)

    assert (again.programmes, again.bookings, again.users, again.organisations) == (0, 0, 0, 0)
    assert _counts(engine) == before


def test_overbooking_check_finds_a_day_with_one_booking_too_many(engine):
    generate(engine, programmes=5, bookings=0, today=NOW.date(), now=NOW)
    with engine.begin() as connection:
        programme_id, capacity = connection.execute(text(
            "SELECT id, capacity FROM programme WHERE status = 'published' ORDER BY id LIMIT 1")).one()
        user_id, org_id = connection.execute(text("SELECT id, organisation_id FROM app_user LIMIT 1")).one()
    from sqlalchemy.orm import Session

    from marketplace.bookings.models import Booking

    start = date(2027, 1, 4)
    with Session(engine) as session:
        for number in range(capacity + 1):
            # Different start dates: the last one tips 2027-01-10 over capacity.
            session.add(Booking(
                ref=f"B-T-{number}", programme_id=programme_id, buyer_organisation_id=org_id, requester_id=user_id,
                status="approved", start_date=start + timedelta(days=number % 7), end_date=date(2027, 2, 1),
                price_ore=100, price_unit="month", participant_reference="x", assignment_purpose="p",
                assignment_goals="g", assignment_tasks="t", created_at=NOW, updated_at=NOW))
        session.commit()

    found = overbooked_days(engine, now=NOW)

    assert len(found) == 1 and found[0][0] == programme_id and found[0][2:] == (capacity + 1, capacity)
    first = found[0][1] if isinstance(found[0][1], date) else date.fromisoformat(found[0][1])
    assert first == start + timedelta(days=min(capacity, 6))


def test_an_expired_hold_is_not_counted_as_overbooking(engine):
    generate(engine, programmes=3, bookings=0, today=NOW.date(), now=NOW)
    with engine.begin() as connection:
        programme_id, capacity = connection.execute(text(
            "SELECT id, capacity FROM programme WHERE status = 'published' ORDER BY id LIMIT 1")).one()
        user_id, org_id = connection.execute(text("SELECT id, organisation_id FROM app_user LIMIT 1")).one()
    from sqlalchemy.orm import Session

    from marketplace.bookings.models import Booking

    with Session(engine) as session:
        for number in range(capacity + 1):
            expiry = NOW - timedelta(hours=1) if number == 0 else NOW + timedelta(days=3)
            session.add(Booking(
                ref=f"B-H-{number}", programme_id=programme_id, buyer_organisation_id=org_id, requester_id=user_id,
                status="requested", start_date=date(2027, 1, 4), end_date=date(2027, 2, 1), hold_expires_at=expiry,
                price_ore=100, price_unit="month", participant_reference="x", assignment_purpose="p",
                assignment_goals="g", assignment_tasks="t", created_at=NOW, updated_at=NOW))
        session.commit()

    assert overbooked_days(engine, now=NOW) == []
    assert overbooked_days(engine, now=NOW - timedelta(hours=2)) != []


def test_seed_with_sizes_adds_generated_rows_once(engine, database_url, monkeypatch, capsys):
    from benchmarks.seed import main

    monkeypatch.setenv("INSATSTORGET_DATABASE_URL", database_url)
    assert main(["--programmes", "30", "--bookings", "300", "--organisations", "20"]) == 0
    first = capsys.readouterr().out
    assert main(["--programmes", "30", "--bookings", "300"]) == 0
    second = capsys.readouterr().out

    assert "30 programmes, 300 bookings added" in first
    assert "0 programmes, 0 bookings added" in second
    counts = _counts(engine)
    assert counts["programmes"] == 30 and counts["organisations"] == 20
    assert overbooked_days(engine, now=NOW) == []


def test_seed_refuses_production_and_bad_sizes(database_url, monkeypatch, capsys):
    from benchmarks.seed import main

    monkeypatch.setenv("INSATSTORGET_DATABASE_URL", database_url)
    with pytest.raises(SystemExit) as refused:
        main(["--programmes", "-1"])
    assert refused.value.code == 2 and "--programmes must be zero or more" in capsys.readouterr().err
    monkeypatch.setenv("INSATSTORGET_ENV", "production")
    monkeypatch.setenv("INSATSTORGET_SECRET_KEY", "x" * 40)
    assert main(["--programmes", "3"]) == 1
    assert "refused when INSATSTORGET_ENV=production" in capsys.readouterr().err
