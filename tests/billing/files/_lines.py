"""Lines for the writer tests, built without a database."""

from __future__ import annotations

from datetime import date, datetime, timezone

from billing.files import FileHeader
from billing.lines import Line

HEADER = FileHeader("2026-03", datetime(2026, 4, 5, 4, 0, tzinfo=timezone.utc))
ORGS = {
    "RK": ("Rinkeby-Kista stadsdelsförvaltning", "1100", "7691", "3691"),
    "ST": ("Spånga-Tensta stadsdelsförvaltning", "1200", "7691", "3691"),
    "AMF": ("Arbetsmarknadsförvaltningen", "3100", "7691", "3691"),
    "HV": ("Hässelby-Vällingby stadsdelsförvaltning", "1300", "7692", "3692"),
}


def line(buyer="RK", provider="AMF", ref="B-2026-000001", amount=450_000, kind="charge", corrects="", days=31,
         programme_name='Café "Torget" – Åkeshov', unit="month", period="2026-03") -> Line:
    b, p = ORGS[buyer], ORGS[provider]
    return Line(period, kind, corrects, 1, ref, "CAFE-1", programme_name, 1, buyer, b[0], b[1], b[2], 2, provider, p[0],
                p[1], p[3], date(2026, 3, 1), date(2026, 3, 31), days, 450_000, unit, amount, "month: 4500.00 × 31/31 days")


def sample() -> list[Line]:
    lines = [
        line(),
        line(ref="B-2026-000002", amount=217_742, days=15),
        line(ref="B-2026-000001", amount=-232_258, kind="correction", corrects="2026-02", days=-16),
        line(buyer="ST", provider="HV", ref="B-2026-000003", amount=12_345, unit="day", days=1),
        line(buyer="HV", provider="RK", ref="B-2026-000004", amount=0, days=1),
    ]
    return sorted(lines, key=lambda l: l.sort_key)
