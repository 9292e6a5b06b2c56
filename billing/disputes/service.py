"""Raising, resolving and reading disputes. No Flask: adapters pass the actor, the clock and the address.

The buyer's side (district finance, coordinators, staff) disputes what one booking cost in
one month, open or closed, once the month has begun; the provider's district finance or
coordinators accept it, with a credit of at most what is left of that month's charge for the
booking (what it costs now by the price rules, or was billed if less, less the credits already
agreed: billing.settlement, the rule the close gives credits by), or reject it, once. Writes run
under one lock (SQLite's write lock, a PostgreSQL advisory lock) so two answers cannot both give
back the same öre. Every change is audited and told to both sides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from billing import money
from billing.corrections import cost_now
from billing.disputes import notices
from billing.disputes.models import Decision, Dispute, DisputeStatus
from billing.models import BillingPeriod, ChargeLine, LineKind, PeriodStatus
from billing.month_close import compute_pair_lines
from billing.periods import parse_period, period_of
from billing.settlement import creditable
from catalog.models import Organisation
from marketplace import audit
from marketplace.auth import policy
from marketplace.auth.policy import Actor
from marketplace.bookings.public import BillableBooking, get_booking_record
from marketplace.kernel.db import is_sqlite
from marketplace.kernel.errors import Conflict, Forbidden, Invalid

MAX_TEXT = 2000
MAX_REF = 20
_AMOUNT = re.compile(r"-?\d{1,15}(?:[.,]\d{1,2})?")
MAX_CREDIT_ORE = 100_000_000_00  # 100 million kronor: above any month of any booking


def _lock(session: Session) -> None:
    """Serialise dispute writes on PostgreSQL (SQLite: the caller's transaction(write_lock=True))."""
    if not is_sqlite(session):
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('billing.dispute'))"))


def _clean_text(value: str | None, field: str, *, required: bool) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise Invalid("Write why the line is wrong.", field=field, code="text_required")
    if len(cleaned) > MAX_TEXT:
        raise Invalid(f"At most {MAX_TEXT} characters.", field=field, code="text_too_long")
    if "\x00" in cleaned:
        raise Invalid("The text must not contain NUL characters.", field=field, code="bad_text")
    return cleaned


def _is_closed(session: Session, period: str) -> bool:
    row = session.get(BillingPeriod, period)
    return row is not None and row.status == PeriodStatus.CLOSED.value


def charged_ore(session: Session, record: BillableBooking, period: str) -> int | None:
    """What `record`'s lines in `period` come to (charges and corrections; credits apart), stored
    for a closed month, as closing it now would write them for an open one; None: no line there."""
    if _is_closed(session, period):
        count, total = session.execute(
            select(func.count(), func.sum(ChargeLine.amount_ore))
            .where(ChargeLine.booking_id == record.booking_id, ChargeLine.period == period,
                   ChargeLine.kind != LineKind.CREDIT.value)).one()
        return int(total or 0) if count else None
    lines = [line for line in compute_pair_lines(session, period, buyer_id=record.buyer.id, provider_id=record.provider.id)
             if line.booking_id == record.booking_id and line.kind != LineKind.CREDIT.value]
    return sum(line.amount_ore for line in lines) if lines else None


def accepted_credit_ore(session: Session, booking_id: int, period: str) -> int:
    """The credits already agreed for the booking and month, by every accepted dispute."""
    return int(session.execute(
        select(func.coalesce(func.sum(Dispute.credit_ore), 0))
        .where(Dispute.booking_id == booking_id, Dispute.period == period,
               Dispute.decision == Decision.ACCEPTED.value)).scalar_one())


def creditable_ore(session: Session, record: BillableBooking, period: str) -> int:
    """The largest credit that may still be agreed for `record`'s `period`: what the month costs now
    (billing.settlement.creditable), less the credits already agreed; the next close gives it in full."""
    should, billed = cost_now(session, record, period)
    return creditable(should=should, billed=billed, agreed=accepted_credit_ore(session, record.booking_id, period))


def raise_dispute(session: Session, *, actor: Actor, booking_ref: str, period: str, reason: str, now: datetime,
                  today: date, ip: str | None = None) -> Dispute:
    """Open a dispute of `booking_ref`'s lines in `period` (the caller commits).

    Invalid (422): a malformed period, a month not begun, a booking the actor's organisation did
    not buy (unknown or another's: the same answer), no line of it in the month, no reason.
    Forbidden (403): the actor may not dispute (the provider's side answers, it does not dispute).
    Conflict (409): the booking already has an open dispute for the month.
    """
    parse_period(period)
    reason = _clean_text(reason, "reason", required=True)
    ref = (booking_ref or "").strip()
    record = get_booking_record(session, ref=ref) if 0 < len(ref) <= MAX_REF else None
    if record is None or actor.organisation_id not in (record.buyer.id, record.provider.id):
        raise Invalid("Your organisation has bought no booking with this ref.", field="booking_ref", code="unknown_booking")
    if not policy.can_raise_dispute(actor, record.buyer.id):
        raise Forbidden("Only the buyer disputes a line; the provider answers the dispute.")
    if period > period_of(today):
        raise Invalid("That month has not begun; a line can be disputed from its first day.", field="period",
                      code="period_not_started")
    _lock(session)
    if charged_ore(session, record, period) is None:
        raise Invalid(f"The booking has no line in {period}.", field="period", code="no_line")
    if session.execute(select(Dispute.id).where(Dispute.booking_id == record.booking_id, Dispute.period == period,
                                                Dispute.status == DisputeStatus.OPEN.value)).first():
        raise Conflict(f"{record.ref} already has an open dispute for {period}; wait for its answer.",
                       code="dispute_open", period=period)
    dispute = Dispute(booking_id=record.booking_id, booking_ref=record.ref, period=period,
                      buyer_organisation_id=record.buyer.id, provider_organisation_id=record.provider.id,
                      reason=reason, raised_by_id=actor.user_id, raised_by_name=actor.name, raised_at=now)
    session.add(dispute)
    session.flush()
    audit.record(session, actor=actor, action="billing.dispute_raise", object_type="billing_dispute",
                 object_id=dispute.id, now=now, ip=ip, details={"booking_ref": record.ref, "period": period})
    notices.raised(session, dispute, actor=actor, now=now)
    return dispute


def parse_credit(value: str | None) -> int:
    """A credit as typed ('123.45', '123,45', '' or None for none) -> öre; Invalid (422) otherwise."""
    if value is None or not str(value).strip():
        return 0
    typed = str(value).strip().replace("\u00a0", "").replace(" ", "")
    try:
        if not _AMOUNT.fullmatch(typed):  # digits only: no exponents, no NaN, no Infinity
            raise ValueError(typed)
        ore = money.parse_amount(typed)
    except ValueError:
        raise Invalid("Write the credit in kronor with at most two decimals, e.g. 123.45.", field="credit",
                      code="bad_amount") from None
    if ore < 0:
        raise Invalid("A credit is never negative.", field="credit", code="negative_credit")
    if ore > MAX_CREDIT_ORE:
        raise Invalid("The credit is larger than the booking was charged for the month.", field="credit",
                      code="credit_too_large")
    return ore


def resolve_dispute(session: Session, dispute: Dispute, *, actor: Actor, decision: str, note: str | None,
                    credit: str | None, now: datetime, ip: str | None = None) -> Dispute:
    """Accept (with an optional credit) or reject `dispute`, once (the caller commits).

    Forbidden (403): not the provider's district finance or coordinator. Conflict (409): already
    resolved. Invalid (422): an unknown decision, a malformed, negative or too large credit (more
    than creditable_ore: what the month costs now less the credits already agreed), a credit with
    a rejection. Should the booking change afterwards, the close still gives at most what the
    month then costs (billing.settlement).
    """
    if not policy.can_resolve_dispute(actor, dispute.provider_organisation_id):
        raise Forbidden("Only the provider's finance or coordinators answer a dispute.")
    _lock(session)
    session.refresh(dispute)
    if dispute.status != DisputeStatus.OPEN.value:
        raise Conflict(f"Dispute {dispute.id} is already resolved ({dispute.decision}).", code="dispute_resolved")
    if decision not in (Decision.ACCEPTED.value, Decision.REJECTED.value):
        raise Invalid("The decision is accepted or rejected.", field="decision", code="bad_decision")
    note = _clean_text(note, "note", required=False)
    credit_ore = parse_credit(credit)
    if credit_ore and decision != Decision.ACCEPTED.value:
        raise Invalid("Only an accepted dispute gives a credit.", field="credit", code="credit_needs_acceptance")
    if credit_ore:
        record = get_booking_record(session, booking_id=dispute.booking_id)
        left = creditable_ore(session, record, dispute.period)
        if credit_ore > left:
            raise Invalid(f"The credit is larger than what is left of the booking's charge for {dispute.period} "
                          f"({money.format_amount(left)} SEK).", field="credit", code="credit_too_large",
                          left=money.format_amount(left))
    changed = session.execute(
        update(Dispute).where(Dispute.id == dispute.id, Dispute.status == DisputeStatus.OPEN.value)
        .values(status=DisputeStatus.RESOLVED.value, decision=decision, credit_ore=credit_ore, note=note,
                resolved_by_id=actor.user_id, resolved_by_name=actor.name, resolved_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise Conflict(f"Dispute {dispute.id} is already resolved.", code="dispute_resolved")
    session.refresh(dispute)
    audit.record(session, actor=actor, action="billing.dispute_resolve", object_type="billing_dispute",
                 object_id=dispute.id, now=now, ip=ip,
                 details={"booking_ref": dispute.booking_ref, "period": dispute.period, "decision": decision,
                          "credit_ore": credit_ore})
    notices.resolved(session, dispute, actor=actor, now=now)
    return dispute


# --- reads ------------------------------------------------------------------------------------


def visible_to(actor: Actor):
    """SQL: the disputes `actor` may see (policy.can_see_dispute, as a condition); None: all."""
    if policy.can_see_every_dispute(actor):
        return None
    conditions = []
    if policy.sees_buyer_disputes(actor):
        conditions.append(Dispute.buyer_organisation_id == actor.organisation_id)
    if policy.sees_provider_disputes(actor):
        conditions.append(Dispute.provider_organisation_id == actor.organisation_id)
    return or_(*conditions) if conditions else Dispute.id.is_(None)


def can_see(actor: Actor, dispute: Dispute) -> bool:
    return policy.can_see_dispute(actor, dispute.buyer_organisation_id, dispute.provider_organisation_id)


def list_disputes(session: Session, actor: Actor, *, status: str | None = None, period: str | None = None,
                  organisation_id: int | None = None, offset: int = 0, limit: int = 50) -> tuple[list[Dispute], int]:
    """One page of the disputes `actor` may see, newest first, with how many there are in all."""
    where = []
    if (condition := visible_to(actor)) is not None:
        where.append(condition)
    if status:
        where.append(Dispute.status == status)
    if period:
        where.append(Dispute.period == period)
    if organisation_id is not None:
        where.append(or_(Dispute.buyer_organisation_id == organisation_id,
                         Dispute.provider_organisation_id == organisation_id))
    total = session.execute(select(func.count()).select_from(Dispute).where(*where)).scalar_one()
    rows = session.execute(select(Dispute).where(*where).order_by(Dispute.raised_at.desc(), Dispute.id.desc())
                           .offset(offset).limit(limit)).scalars()
    return list(rows), total


def open_on(session: Session, period: str) -> list[Dispute]:
    """The month's disputes still open (a close lists them; it does not wait for them)."""
    return list(session.execute(select(Dispute).where(Dispute.period == period,
                                                      Dispute.status == DisputeStatus.OPEN.value)
                                .order_by(Dispute.id)).scalars())


@dataclass(frozen=True)
class Credited:
    """Where an accepted dispute's credit went: the month whose close last wrote a credit line giving
    back part of it (None: none yet), and how much of it the credit lines gave back so far; less
    than agreed while the month costs less than its credits (billing.settlement)."""

    period: str | None
    given_ore: int = 0


def credited_in(session: Session, dispute: Dispute) -> Credited:
    """Where `dispute`'s credit went: the credit lines of its booking and month, oldest first,
    give back the accepted credits in the order they were accepted (credits.covered)."""
    if dispute.decision != Decision.ACCEPTED.value or not dispute.credit_ore:
        return Credited(None)
    start = session.execute(
        select(func.coalesce(func.sum(Dispute.credit_ore), 0))
        .where(Dispute.booking_id == dispute.booking_id, Dispute.period == dispute.period,
               Dispute.decision == Decision.ACCEPTED.value, Dispute.id < dispute.id)).scalar_one()
    given, period = 0, None
    for line_period, amount in session.execute(
            select(ChargeLine.period, ChargeLine.amount_ore)
            .where(ChargeLine.booking_id == dispute.booking_id, ChargeLine.kind == LineKind.CREDIT.value,
                   ChargeLine.corrects_period == dispute.period).order_by(ChargeLine.id)):
        if given - amount > start:  # this line reaches into the dispute's share
            period = line_period
        given -= amount
        if given >= start + dispute.credit_ore:
            break
    return Credited(period, min(max(given - start, 0), dispute.credit_ore))


def organisation_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    return {row.id: (row.code, row.name) for row in
            session.execute(select(Organisation.id, Organisation.code, Organisation.name).where(Organisation.id.in_(ids)))}


def open_on_out(session: Session, period: str) -> list[dict]:
    """The month's open disputes as the close result lists them (API and CLI)."""
    disputes = open_on(session, period)
    names = organisation_names(session, {d.buyer_organisation_id for d in disputes}
                               | {d.provider_organisation_id for d in disputes})
    return [{"id": d.id, "booking_ref": d.booking_ref, "buyer": names[d.buyer_organisation_id][0],
             "provider": names[d.provider_organisation_id][0]} for d in disputes]
