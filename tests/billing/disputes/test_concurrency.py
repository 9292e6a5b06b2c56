"""An accepted credit is written once when closes race each other, and once when a close is
killed after writing its lines but before committing them."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing import operations
from billing.models import ChargeLine
from tests.billing.disputes._helpers import BASE, close, march_to_april, users

ROOT = Path(__file__).resolve().parents[3]
LATER = datetime(2026, 6, 2, 6, 0, tzinfo=timezone.utc)


def _accepted_credit(db, api, engine, settings, frozen_clock) -> str:
    people = users(db)
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = api(people["buyer_finance"]).post(BASE, json={"booking_ref": booking.ref, "period": "2026-03",
                                                            "reason": "Fel"}).get_json()
    answer = api(people["provider_finance"]).post(f"{BASE}/{dispute['id']}/resolve",
                                                  json={"decision": "accepted", "credit": "1234.56"})
    assert answer.status_code == 200
    return booking.ref


def _credits(engine) -> list[tuple]:
    with Session(engine) as session:
        return session.execute(select(ChargeLine.period, ChargeLine.corrects_period, ChargeLine.amount_ore)
                               .where(ChargeLine.kind == "credit")).all()


def test_closes_racing_each_other_write_the_credit_once(db, api, engine, settings, frozen_clock):
    _accepted_credit(db, api, engine, settings, frozen_clock)
    db.close()
    barrier, errors = threading.Barrier(4), []

    def run(period: str) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait(timeout=60)
                operations.close_and_store(session, period, actor=None, now=LATER, instance_path=settings.instance_path)
        except Exception as error:  # noqa: BLE001  (reported below)
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(period,)) for period in ("2026-04", "2026-05", "2026-04", "2026-05")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    [(period, corrects, amount)] = _credits(engine)
    assert period in ("2026-04", "2026-05") and corrects == "2026-03" and amount == -123456


SCRIPT = textwrap.dedent('''
    import os, signal, sys
    from datetime import datetime
    from pathlib import Path
    from sqlalchemy.orm import Session
    from billing import operations
    from marketplace import audit
    from marketplace.kernel.db import make_engine

    url, instance, now = sys.argv[1:4]
    original = audit.record
    def record(*args, **kwargs):
        original(*args, **kwargs)
        args[0].flush()  # the lines, the period row and this audit row are in the database, not committed
        os.kill(os.getpid(), signal.SIGKILL)
    audit.record = record
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        operations.close_and_store(session, "2026-04", actor=None, now=datetime.fromisoformat(now),
                                   instance_path=Path(instance))
    print("finished without being killed")
''')


def test_a_close_killed_before_commit_leaves_no_credit_and_the_next_close_writes_it_once(
        db, api, engine, settings, database_url, frozen_clock):
    _accepted_credit(db, api, engine, settings, frozen_clock)
    db.close()
    run = subprocess.run([sys.executable, "-c", SCRIPT, database_url, str(settings.instance_path), LATER.isoformat()],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stdout + run.stderr
    assert _credits(engine) == []
    close(engine, settings, "2026-04", LATER)
    close(engine, settings, "2026-05", LATER)
    assert _credits(engine) == [("2026-04", "2026-03", -123456)]
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(ChargeLine).where(ChargeLine.period == "2026-04")).scalar() == 2
