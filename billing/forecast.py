"""Forecast: what an organisation's placements already committed will cost (as buyer) and bring
in (as provider), month by month, at their agreed prices.

Approved, active and ended placements count as committed; requested ones (a place held, not yet
decided) are kept apart. Each month is priced by pricing.charge, the rule the close uses, so a
month that is closed without changes between the forecast and the close has exactly the
forecast's committed figures as that organisation's charge lines (corrections of earlier months
are not forecast). Pure reads; money in öre.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from billing.periods import bounds, next_period, periods_between
from billing.pricing import charge
from catalog.models import Programme
from marketplace.bookings.public import BILLABLE_STATUSES, Booking, BookingStatus

MAX_MONTHS = 24
REQUESTED = BookingStatus.REQUESTED.value


@dataclass
class ForecastMonth:
    period: str
    cost_ore: int = 0  # committed, as buyer
    cost_requested_ore: int = 0
    revenue_ore: int = 0  # committed, as provider
    revenue_requested_ore: int = 0

    @property
    def net_ore(self) -> int:
        return self.revenue_ore - self.cost_ore


def forecast(session: Session, organisation_id: int, first: str, months: int) -> list[ForecastMonth]:
    """`months` months from `first` ('YYYY-MM'), each with committed and requested cost and revenue."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError("months out of range")
    last = first
    for _ in range(months - 1):
        last = next_period(last)
    periods = periods_between(first, last)
    result = {period: ForecastMonth(period) for period in periods}
    start_day, end_day = bounds(first)[0], bounds(last)[1]
    rows = session.execute(
        select(Booking.buyer_organisation_id, Programme.organisation_id, Booking.start_date, Booking.end_date,
               Booking.price_ore, Booking.price_unit, Booking.status)
        .join(Programme, Programme.id == Booking.programme_id)
        .where(Booking.end_date >= start_day, Booking.start_date <= end_day,
               Booking.buyer_organisation_id != Programme.organisation_id,
               Booking.status.in_((*BILLABLE_STATUSES, REQUESTED)),
               or_(Booking.buyer_organisation_id == organisation_id, Programme.organisation_id == organisation_id)))
    for buyer_id, provider_id, start, end, price_ore, unit, status in rows:
        requested = status == REQUESTED
        for period in periods:
            charged = charge(start, end, price_ore, unit, period)
            if charged is None:
                continue
            amount = charged[3]
            month = result[period]
            if buyer_id == organisation_id:
                if requested:
                    month.cost_requested_ore += amount
                else:
                    month.cost_ore += amount
            if provider_id == organisation_id:
                if requested:
                    month.revenue_requested_ore += amount
                else:
                    month.revenue_ore += amount
    return [result[period] for period in periods]
