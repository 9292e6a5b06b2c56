"""Page render: the catalogue search page and the month summary page, signed in as a person would be.

Staff sign in on /logga-in; finance also gives a one-time code (a benchmark finance user
with a known TOTP secret is added). The previous month is closed first, so the summary
page is measured both for a closed month (read from the stored lines) and for the open
current month (the preview that computes its lines from the bookings on every request).
"""

from __future__ import annotations

import re
import time
import urllib.parse
from datetime import date, datetime, timezone

from sqlalchemy import text

from benchmarks.bench_search import WORDS, _ranges
from benchmarks.bulk import insert_rows, next_id, sync_sequence
from benchmarks.harness import Server, page_session, request, run_load, summarise
from benchmarks.loadgen import USER_DOMAIN

FINANCE_EMAIL = f"finance.bench@{USER_DOMAIN}"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
MONTH_PAGE_REPEATS = 5  # the slowest of five is reported as p95
SEARCH_PAGE_CANDIDATES = ("/insatser", "/program", "/katalog", "/sok")


def ensure_finance_user(engine, *, now: datetime, password: str = "demo-losen-2026") -> None:
    from marketplace.auth.passwords import hash_password

    with engine.begin() as connection:
        if connection.execute(text("SELECT 1 FROM app_user WHERE email = :e"), {"e": FINANCE_EMAIL}).first():
            return
        org_id = connection.execute(text("SELECT id FROM organisation WHERE code = 'AMF'")).scalar()
        insert_rows(connection, "app_user", ("id", "email", "name", "organisation_id", "roles", "password_hash", "active",
                                             "created_at", "password_changed_at", "totp_secret"),
                    [(next_id(connection, "app_user"), FINANCE_EMAIL, "Bench Ekonom", org_id, "finance",
                      hash_password(password), True, now, now, TOTP_SECRET)])
        sync_sequence(connection, "app_user")


def close_previous_month(engine, *, today: date) -> dict:
    """Close last month as finance would (lines + files); returns its size and time."""
    from sqlalchemy.orm import Session

    from billing.month_close import close_month
    from billing.periods import period_of, previous_period
    from marketplace.kernel.db import transaction

    period = previous_period(period_of(today))
    with Session(engine) as session:
        started = time.perf_counter()
        with transaction(session, write_lock=True):
            result = close_month(session, period, actor=None, now=datetime.now(timezone.utc))
        return {"period": period, "lines": result.line_count, "seconds": round(time.perf_counter() - started, 2),
                "closed_now": result.closed_now}


def find_search_page(port: int, cookie: str) -> str | None:
    for path in SEARCH_PAGE_CANDIDATES:
        status, _, _ = request("127.0.0.1", port, "GET", path, headers={"Cookie": cookie})
        if status == 200:
            return path
    return None


def run(database_url: str, instance, engine, *, today: date, now: datetime, per_kind: int = 100,
        password: str = "demo-losen-2026", month_pages: bool = True, page_timeout: float = 90) -> dict:
    from billing.periods import period_of

    ensure_finance_user(engine, now=now, password=password)
    result: dict = {"_closed": close_previous_month(engine, today=today)} if month_pages else {}
    current = period_of(today)
    closed = result["_closed"]["period"] if month_pages else None
    with Server(database_url, instance, workers=2) as server:
        staff = page_session(server.port, f"staff.rk@{USER_DOMAIN}", password)
        finance = page_session(server.port, FINANCE_EMAIL, password, totp_secret=TOTP_SECRET)
        plan: list[tuple[str, str, str]] = []
        search_page = find_search_page(server.port, staff)
        if search_page:
            ranges = _ranges(today)
            for (word, category), (start, end) in zip(WORDS, ranges):
                plan.append(("search page: word + category + dates", search_page + "?" + urllib.parse.urlencode(
                    {"q": word, "category": category, "available_from": start, "available_to": end}), staff))
                plan.append(("search page: dates only", search_page + "?" + urllib.parse.urlencode(
                    {"available_from": start, "available_to": end}), staff))
        else:
            result["_missing"] = f"no search page at any of {SEARCH_PAGE_CANDIDATES}"
        plan.append(("month list", "/fakturering", finance))
        by_label: dict[str, list] = {}
        for label, path, cookie in plan:
            by_label.setdefault(label, []).append((path, cookie))
        labels = list(by_label)

        def factory(index: int, number: int):
            label = labels[number % len(labels)]
            path, cookie = by_label[label][(number // len(labels)) % len(by_label[label])]
            return label, "GET", path, None, {"Cookie": cookie}

        load = run_load(server.port, factory, clients=1, requests_per_client=per_kind * len(labels))
        for label in labels:
            result[label] = summarise([s for s in load.samples if s.label == label])
        # The month summary pages are measured a few times each: a closed month reads its
        # stored lines' aggregates, the open month is a live preview over the billable bookings;
        # the drill-downs are one buyer's providers and one pair's lines (paginated).
        errors = list(load.errors)
        month_pages = ((f"month summary, closed ({closed})", f"/fakturering/{closed}"),
                       ("month summary, closed, one buyer (RK)", f"/fakturering/{closed}?kopare=RK"),
                       ("month summary, closed, one pair's lines (RK-AMF)", f"/fakturering/{closed}?kopare=RK&saljare=AMF"),
                       (f"month summary, open preview ({current})", f"/fakturering/{current}"),
                       ("month summary, open, one buyer (RK)", f"/fakturering/{current}?kopare=RK"),
                       ) if month_pages else ()
        for label, path in month_pages:
            samples = []
            for _ in range(MONTH_PAGE_REPEATS):
                started = time.perf_counter()
                try:
                    status, headers, body = request("127.0.0.1", server.port, "GET", path, headers={"Cookie": finance},
                                                    timeout=page_timeout)
                except OSError:  # timed out: the figure is "more than page_timeout"
                    samples = None
                    break
                match = re.search(r"app;dur=([0-9.]+)", headers.get("server-timing", ""))
                samples.append((status, float(match.group(1)) if match else None, (time.perf_counter() - started) * 1000,
                                len(body)))
            if samples is None:
                result[label] = {"requests": 1, "statuses": {"timeout": 1}, "server_p50_ms": None, "server_p95_ms": None,
                                 "client_p50_ms": None, "client_p95_ms": None, "timed_out_after_s": page_timeout}
                continue
            server_ms = sorted(s[1] for s in samples if s[1] is not None)
            client_ms = sorted(s[2] for s in samples)
            statuses: dict[str, int] = {}
            for s in samples:
                statuses[str(s[0])] = statuses.get(str(s[0]), 0) + 1
            result[label] = {"requests": len(samples), "statuses": statuses,
                             "server_p50_ms": server_ms[len(server_ms) // 2] if server_ms else None,
                             "server_p95_ms": server_ms[-1] if server_ms else None,
                             "client_p50_ms": round(client_ms[len(client_ms) // 2], 1),
                             "client_p95_ms": round(client_ms[-1], 1),
                             "bytes": samples[-1][3]}
        result["_errors"] = errors[:10]
    return result
