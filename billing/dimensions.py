"""The city's accounting dimensions on a month's lines: the activity code (verksamhetskod) each
line is booked under, frozen at the close, and the file layout a closed month keeps.

A line's activity code is its programme's own, else the providing organisation's default
(then the programme is listed on the close result and the month page, so that it gets a code
of its own); with neither the code is empty. A close never fails for it. The close stores,
per programme it billed, the code used and where it came from (PeriodActivityCode, append-only
like charge_line), so a closed month's files never change when codes change later. Months
closed before the dimensions existed have no such rows and no PeriodFileLayout row, which
reads as file layout 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import CheckConstraint, event, select
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from billing.corrections import correction_lines
from billing.models import BillingPeriod, ImmutableRow, PeriodStatus
from billing.periods import bounds
from catalog.models import Organisation, Programme
from marketplace.bookings.public import BILLABLE_STATUSES, Booking

# File layouts of a closed month (PeriodFileLayout; no row = 1).
LAYOUT_WITHOUT_DIMENSIONS = 1  # months closed before this module existed: files exactly as they were
LAYOUT_WITH_DIMENSIONS = 2  # trailing dimension columns in CSV and XLSX, #DIM 20 on every SIE #TRANS
CURRENT_LAYOUT = LAYOUT_WITH_DIMENSIONS

FROM_PROGRAMME, FROM_ORGANISATION, MISSING = "programme", "organisation", "missing"
_CHUNK = 500


class PeriodActivityCode(SQLModel, table=True):
    """The activity code a closed month billed one programme under: written once, never changed."""

    __tablename__ = "period_activity_code"
    __table_args__ = (
        CheckConstraint("source IN ('programme', 'organisation', 'missing')", name="ck_period_activity_code_source"),
    )

    period: str = Field(foreign_key="billing_period.period", primary_key=True, max_length=7)
    programme_code: str = Field(primary_key=True, max_length=40)
    programme_name: str = Field(max_length=200)
    organisation_code: str = Field(max_length=16)  # the provider, whose default applies
    activity_code: str = Field(max_length=10)  # '' when source is 'missing'
    source: str = Field(max_length=12)


class PeriodFileLayout(SQLModel, table=True):
    """The layout a month's files are written in, fixed at its close (no row: layout 1)."""

    __tablename__ = "period_file_layout"

    period: str = Field(foreign_key="billing_period.period", primary_key=True, max_length=7)
    layout: int


@event.listens_for(PeriodActivityCode, "before_update")
@event.listens_for(PeriodFileLayout, "before_update")
def _refuse_update(_mapper, _connection, target):
    raise ImmutableRow(f"{type(target).__tablename__} of {target.period} is immutable")


@event.listens_for(PeriodActivityCode, "before_delete")
@event.listens_for(PeriodFileLayout, "before_delete")
def _refuse_delete(_mapper, _connection, target):
    raise ImmutableRow(f"{type(target).__tablename__} of {target.period} is immutable")


@dataclass(frozen=True)
class ProgrammeCode:
    """A programme and the activity code its lines are (or would be) booked under."""

    programme_code: str
    programme_name: str
    organisation_code: str
    activity_code: str
    source: str  # FROM_PROGRAMME, FROM_ORGANISATION or MISSING

    @property
    def needs_own_code(self) -> bool:
        return self.source != FROM_PROGRAMME


def resolve(own: str, organisation_default: str) -> tuple[str, str]:
    """(activity code, source) for a programme's own code and its organisation's default."""
    if own:
        return own, FROM_PROGRAMME
    if organisation_default:
        return organisation_default, FROM_ORGANISATION
    return "", MISSING


def current(session: Session, codes: Iterable[str]) -> list[ProgrammeCode]:
    """The codes in force now for these programme codes (unknown codes are left out)."""
    codes = sorted(set(codes))
    result = []
    for start in range(0, len(codes), _CHUNK):
        rows = session.execute(
            select(Programme.code, Programme.name, Organisation.code, Programme.activity_code,
                   Organisation.default_activity_code)
            .join(Organisation, Organisation.id == Programme.organisation_id)
            .where(Programme.code.in_(codes[start:start + _CHUNK])))
        for code, name, organisation, own, default in rows:
            activity, source = resolve(own, default)
            result.append(ProgrammeCode(code, name, organisation, activity, source))
    return result


def freeze(session: Session, period: str, programme_codes: Iterable[str]) -> list[ProgrammeCode]:
    """Store the file layout and the activity code of every programme `period` billed (inside the
    close's transaction, after its BillingPeriod row is flushed); returns those billed without a
    code of their own."""
    session.execute(PeriodFileLayout.__table__.insert(), [{"period": period, "layout": CURRENT_LAYOUT}])
    frozen = current(session, programme_codes)
    if frozen:
        session.execute(PeriodActivityCode.__table__.insert(), [
            {"period": period, "programme_code": p.programme_code, "programme_name": p.programme_name,
             "organisation_code": p.organisation_code, "activity_code": p.activity_code, "source": p.source}
            for p in frozen])
    return sorted((p for p in frozen if p.needs_own_code), key=_listed_order)


def frozen_codes(session: Session, period: str) -> dict[str, str]:
    """programme code → activity code, as a closed month stored them (empty for layout 1)."""
    return dict(session.execute(select(PeriodActivityCode.programme_code, PeriodActivityCode.activity_code)
                                .where(PeriodActivityCode.period == period)).all())


def _frozen_fallbacks(session: Session, period: str) -> list[ProgrammeCode]:
    rows = session.execute(
        select(PeriodActivityCode).where(PeriodActivityCode.period == period, PeriodActivityCode.source != FROM_PROGRAMME)
        .order_by(PeriodActivityCode.organisation_code, PeriodActivityCode.programme_code)).scalars()
    return [ProgrammeCode(r.programme_code, r.programme_name, r.organisation_code, r.activity_code, r.source) for r in rows]


def _open_fallbacks(session: Session, period: str) -> list[ProgrammeCode]:
    """Programmes without a code of their own that closing `period` now would bill: those with a
    charge this month (the pricing rule's: any overlap; a placement only in its start month),
    and those with a correction."""
    first, last = bounds(period)
    charged = set(session.execute(
        select(Programme.code).distinct()
        .join(Booking, Booking.programme_id == Programme.id)
        .where(Programme.activity_code == "", Booking.status.in_(BILLABLE_STATUSES),
               Booking.buyer_organisation_id != Programme.organisation_id,
               Booking.end_date >= first, Booking.start_date <= last,
               (Booking.price_unit != "placement") | (Booking.start_date >= first))).scalars())
    charged |= {line.programme_code for line in correction_lines(session, period)}
    return [p for p in current(session, charged) if p.needs_own_code]


def fallbacks(session: Session, period: str) -> list[ProgrammeCode]:
    """The programmes billed (closed month) or to be billed (open month) without an activity code
    of their own, by organisation and code; empty for a month closed before the dimensions."""
    row = session.get(BillingPeriod, period)
    if row is not None and row.status == PeriodStatus.CLOSED.value:
        return _frozen_fallbacks(session, period)
    found = _open_fallbacks(session, period)
    return sorted(found, key=_listed_order)


def _listed_order(p: ProgrammeCode) -> tuple[str, str]:
    """How the lists show programmes without their own code: by organisation, then programme code."""
    return p.organisation_code, p.programme_code


def file_codes(session: Session, period: str, programme_codes: Iterable[str] = ()) -> dict[str, str] | None:
    """programme code → activity code for the dimension columns of `period`'s files, or None when
    they carry none. A closed month: as its close froze them (None for a month closed before the
    dimensions). An open month (a statement's preview): as closing it now would freeze the codes
    of `programme_codes`."""
    row = session.get(BillingPeriod, period)
    if row is not None and row.status == PeriodStatus.CLOSED.value:
        return frozen_codes(session, period) if file_layout(session, period) == LAYOUT_WITH_DIMENSIONS else None
    return {p.programme_code: p.activity_code for p in current(session, programme_codes)}


def file_layout(session: Session, period: str) -> int:
    """The layout a closed month's files are written in: as its close fixed it, else 1."""
    layout = session.execute(select(PeriodFileLayout.layout).where(PeriodFileLayout.period == period)).scalar()
    return layout or LAYOUT_WITHOUT_DIMENSIONS
