"""What a coordinator's placement file holds: the rows of the placement list (the same query
and filter as the page, every page of it) and the audit of the download. No Flask."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from marketplace import audit
from marketplace.auth import policy
from marketplace.auth.policy import Actor
from marketplace.bookings import queries
from marketplace.bookings.flow import record_participant_read
from marketplace.bookings.models import Booking
from marketplace.i18n import N_

BATCH = 500
MAX_ROWS = 20_000  # a file larger than this is cut (and says so in its audit row)

# (key, Swedish label) in file order; the participant's columns stay empty where policy hides them.
COLUMNS = (
    ("ref", N_("Referens")), ("status", N_("Status")), ("programme_code", N_("Insatskod")),
    ("programme_name", N_("Insats")), ("buyer_code", N_("Beställarkod")), ("buyer_name", N_("Beställare")),
    ("start_date", N_("Startdatum")), ("end_date", N_("Slutdatum")),
    ("extension_end_date", N_("Begärt nytt slutdatum")), ("created_at", N_("Inkom")),
    ("decision_reference", N_("Biståndsbeslut")), ("participant_reference", N_("Deltagarens referens")),
    ("participant_name", N_("Deltagarens namn")), ("outcome", N_("Utfall")),
)


@dataclass(frozen=True)
class BookingRows:
    bookings: list[Booking]
    rows: list[list]
    truncated: bool
    participants_shown: list[Booking]  # the bookings whose participant the file names (each read is audited)


def provider_bookings(session: Session, actor: Actor, *, status: str | None) -> tuple[list[Booking], bool]:
    """Every booking of the placement list's provider side with this status filter (newest first)."""
    found: list[Booking] = []
    while len(found) < MAX_ROWS:
        batch, _total = queries.list_bookings(session, actor, side="provider", status=status, offset=len(found),
                                              limit=min(BATCH, MAX_ROWS - len(found)))
        found.extend(batch)
        if len(batch) < BATCH:
            return found, False
    more, _total = queries.list_bookings(session, actor, side="provider", status=status, offset=len(found), limit=1)
    return found, bool(more)


def booking_rows(session: Session, actor: Actor, *, status: str | None, label: Callable[[str, str], str],
                 to_local: Callable[[datetime], object]) -> BookingRows:
    """The rows of the file; `label(kind, code)` names a status or outcome in the reader's language,
    `to_local` turns a timestamp into the local date shown."""
    bookings, truncated = provider_bookings(session, actor, status=status)
    programmes = queries.programmes_by_id(session, [b.programme_id for b in bookings])
    organisations = queries.organisations_by_id(session, [b.buyer_organisation_id for b in bookings])
    rows, shown_for = [], []
    for booking in bookings:
        programme, buyer = programmes[booking.programme_id], organisations[booking.buyer_organisation_id]
        shown = policy.can_see_participant(actor, booking.buyer_organisation_id, programme.organisation_id,
                                           programme.id)
        if shown:
            shown_for.append(booking)
        rows.append([
            booking.ref, label("status", booking.status), programme.code, programme.name, buyer.code, buyer.name,
            booking.start_date, booking.end_date, booking.extension_end_date, to_local(booking.created_at),
            booking.decision_reference, booking.participant_reference if shown else None,
            booking.participant_name if shown else None, label("outcome", booking.outcome) if booking.outcome else None,
        ])
    return BookingRows(bookings, rows, truncated, shown_for)


def record_export(session: Session, actor: Actor, *, rows: int, participants_shown: list[Booking], what: str,
                  fmt: str, filters: dict, truncated: bool, now: datetime, ip: str | None) -> None:
    """One row for the download (what, format, filter, how many rows), and a participant read
    per booking whose participant the file names (the placement list's audit, via the export)."""
    audit.record(session, actor=actor, action="booking.export", object_type="organisation",
                 object_id=actor.organisation_id, now=now, ip=ip,
                 details={"what": what, "format": fmt, "rows": rows, "truncated": truncated, **filters})
    for booking in participants_shown:
        record_participant_read(session, booking, actor=actor, now=now, ip=ip, via=f"export-{what}-{fmt}")
