"""A subprocess closes the month and is killed with SIGKILL at a chosen point; closing again
must give exactly the files a clean close gives, and nothing half-written may remain."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing import dimensions, operations
from billing.files import FileHeader
from billing.files.csv_excel import write_csv
from billing.files.sie4 import write_sie4
from billing.files.xlsx import write_xlsx
from billing.lines import pair_totals
from billing.models import BillingPeriod, ChargeLine, TransferFile
from billing.month_close import compute_lines
from tests.billing._factories import make_booking, make_programme

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 4, 3, 5, 0, tzinfo=timezone.utc)

SCRIPT = textwrap.dedent('''
    import os, signal, sys
    from datetime import datetime
    from pathlib import Path
    from sqlalchemy.orm import Session
    from billing import month_close, operations, storage
    from marketplace import audit
    from marketplace.kernel.db import make_engine

    url, instance, now, point = sys.argv[1:5]
    now = datetime.fromisoformat(now)

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    month_close.BATCH = 4
    if point.startswith("batch:"):
        limit, seen, original = int(point.split(":")[1]), [0], month_close._insert_batch
        def insert(session, rows):
            original(session, rows)
            seen[0] += 1
            if seen[0] >= limit:
                die()
        month_close._insert_batch = insert
    elif point == "before_commit":
        original_record = audit.record
        def record(*args, **kwargs):
            original_record(*args, **kwargs)
            args[0].flush()
            die()
        audit.record = record
    elif point == "after_commit":
        operations.ensure_files = lambda *a, **k: die()
    elif point == "mid_file":
        original_sie = storage.write_sie4_to
        def sie(out, *args, **kwargs):
            out.write(b"#FLAGGA 0\\r\\n#FORMAT PC8\\r\\n")
            out.flush()
            die()
        storage.write_sie4_to = sie

    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        operations.close_and_store(session, "2026-03", actor=None, now=now, instance_path=Path(instance))
    print("finished without being killed")
''')


def _arrange(db):
    programmes = [make_programme(db, organisation=o, price_ore=p, price_unit=u)
                  for o, p, u in (("AMF", 450_000, "month"), ("HV", 123_45, "day"), ("KUF", 99_999, "placement"))]
    for index in range(13):
        make_booking(db, programmes[index % 3], buyer=("RK", "ST", "SO")[index % 3],
                     start=date(2026, 3, 1 + index), end=date(2026, 4, 10 + index))


def _clean_files(db) -> dict[str, bytes]:
    """What a clean close writes: the pure writers over the lines computed before any close."""
    lines = sorted(compute_lines(db, "2026-03"), key=lambda line: line.sort_key)
    activity = {p.programme_code: p.activity_code for p in dimensions.current(db, {line.programme_code for line in lines})}
    db.rollback()
    header = FileHeader("2026-03", NOW)
    return {"csv": write_csv(header, lines, activity_codes=activity),
            "xlsx": write_xlsx(header, lines, pair_totals(lines), activity_codes=activity),
            "sie": write_sie4(header, lines, activity_codes=activity)}


@pytest.mark.parametrize("point, survives", [
    ("batch:1", False), ("batch:3", False), ("before_commit", False), ("after_commit", True), ("mid_file", True),
])
def test_a_close_killed_at_any_point_leaves_nothing_or_everything_and_the_next_close_makes_identical_files(
        db, engine, settings, database_url, point, survives):
    _arrange(db)
    expected = _clean_files(db)
    db.close()

    run = subprocess.run([sys.executable, "-c", SCRIPT, database_url, str(settings.instance_path), NOW.isoformat(), point],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stdout + run.stderr

    with Session(engine) as session:
        lines = session.execute(select(func.count()).select_from(ChargeLine)).scalar()
        period = session.get(BillingPeriod, "2026-03")
        assert session.execute(select(func.count()).select_from(TransferFile)).scalar() == 0
    if survives:
        assert period is not None and period.status == "closed" and lines == 13
    else:
        assert period is None and lines == 0

    with Session(engine, expire_on_commit=False) as session:
        result, files = operations.close_and_store(session, "2026-03", actor=None, now=NOW,
                                                   instance_path=settings.instance_path)
    assert result.line_count == 13 and result.closed_now is not survives
    for stored in files:
        assert stored.path.read_bytes() == expected[stored.format], stored.format
    leftovers = [p.name for p in (settings.instance_path / "billing" / "2026-03").iterdir() if p.name.startswith(".")]
    assert point != "mid_file" or leftovers  # the killed write left only a temp file, never a real name
    assert all(name.endswith(".tmp") for name in leftovers)
