"""Reads of the audit log for the admin pages: search with filters, and CSV export. No Flask."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketplace.audit.models import AuditLog
from marketplace.privacy import start_of_day_utc
from marketplace.kernel.spreadsheet import text_cell

CSV_COLUMNS = ("id", "at", "actor_email", "organisation_code", "action", "object_type", "object_id", "ip",
               "outcome", "details")


@dataclass(frozen=True)
class AuditFilter:
    """Search terms; dates are Stockholm calendar days, inclusive."""

    date_from: date | None = None
    date_to: date | None = None
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""


def _statement(filters: AuditFilter):
    statement = select(AuditLog)
    if filters.date_from:
        statement = statement.where(AuditLog.at >= start_of_day_utc(filters.date_from))
    if filters.date_to:
        statement = statement.where(AuditLog.at < start_of_day_utc(filters.date_to + timedelta(days=1)))
    if filters.actor.strip():
        statement = statement.where(func.lower(AuditLog.actor_email).contains(filters.actor.strip().lower(), autoescape=True))
    if filters.action.strip():
        statement = statement.where(AuditLog.action.startswith(filters.action.strip(), autoescape=True))
    if filters.object_type.strip():
        statement = statement.where(AuditLog.object_type == filters.object_type.strip())
    if filters.object_id.strip():
        statement = statement.where(AuditLog.object_id == filters.object_id.strip())
    return statement


def search_audit(session: Session, filters: AuditFilter, *, offset: int = 0, limit: int = 50) -> tuple[list[AuditLog], int]:
    """Newest first, one page, and the total that matched."""
    statement = _statement(filters)
    total = session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = session.execute(statement.order_by(AuditLog.at.desc(), AuditLog.id.desc()).offset(offset).limit(limit)).scalars()
    return list(rows), total


def known_actions(session: Session) -> list[str]:
    return list(session.execute(select(AuditLog.action).distinct().order_by(AuditLog.action)).scalars())


def export_csv(session: Session, filters: AuditFilter) -> Iterator[bytes]:
    """Every matching row, oldest first, as CSV for Excel (UTF-8 with BOM, `;`), streamed in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    statement = _statement(filters).order_by(AuditLog.at, AuditLog.id).execution_options(yield_per=500)
    with session.execute(statement) as result:  # a download cut short closes the cursor
        for row in result.scalars():
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([row.id, row.at.isoformat()] + [text_cell(value) for value in (
                row.actor_email, row.organisation_code, row.action, row.object_type, row.object_id, row.ip, row.outcome,
                json.dumps(row.details or {}, ensure_ascii=False, sort_keys=True))])
            yield buffer.getvalue().encode("utf-8")
