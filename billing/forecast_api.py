"""API and page of the forecast (billing.forecast), on billing's API blueprint and page blueprint.

City finance and admin see any organisation's forecast; district finance and coordinators
their own organisation's (another's answers 404); other roles 403.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required
from pydantic import BaseModel, Field

from billing import money
from billing.api import SECURITY, api
from billing.forecast import MAX_MONTHS, ForecastMonth, forecast
from billing.periods import parse_period, period_of
from billing.schemas import PERIOD_PATTERN, MoneyOut
from billing.statements import find_organisation
from billing.views import bp
from marketplace.auth import policy
from marketplace.kernel import clock, http
from marketplace.kernel.errors import DomainError
from marketplace.kernel.problems import Problem


class ForecastQuery(BaseModel):
    organisation: str | None = Field(default=None, max_length=16, description="Organisation code (default: your own)")
    months: int = Field(default=12, ge=1, le=MAX_MONTHS, description="How many months, 1–24")
    from_: str | None = Field(default=None, alias="from", pattern=PERIOD_PATTERN,
                              description="First month, YYYY-MM (default: the current month)")


class ForecastSideOut(BaseModel):
    committed: MoneyOut = Field(description="Approved, active and ended placements")
    requested: MoneyOut = Field(description="Requested placements, not yet decided")


class ForecastMonthOut(BaseModel):
    period: str
    cost: ForecastSideOut = Field(description="As buyer")
    revenue: ForecastSideOut = Field(description="As provider")


class ForecastOut(BaseModel):
    organisation_code: str
    months: list[ForecastMonthOut]


def _month_out(month: ForecastMonth) -> dict:
    return {"period": month.period,
            "cost": {"committed": money.money(month.cost_ore), "requested": money.money(month.cost_requested_ore)},
            "revenue": {"committed": money.money(month.revenue_ore),
                        "requested": money.money(month.revenue_requested_ore)}}


@api.get("/billing/forecast", responses={200: ForecastOut, 401: Problem, 403: Problem, 404: Problem, 422: Problem},
         security=SECURITY)
def get_forecast(query: ForecastQuery):
    """Committed cost (as buyer) and revenue (as provider) per month from approved, active and ended
    placements at their agreed prices, requested ones apart; priced by the close's rules."""
    actor = http.require_api_actor()
    if not policy.can_see_forecasts(actor):
        raise http.ApiError(403, "The forecast is for finance and coordinators.")
    session = http.request_session()
    organisation = find_organisation(session, query.organisation or actor.organisation_code)
    if organisation is None or not policy.can_see_forecast(actor, organisation.id):
        raise http.ApiError(404, "No such organisation.")
    months = forecast(session, organisation.id, query.from_ or period_of(clock.today()), query.months)
    return {"organisation_code": organisation.code, "months": [_month_out(m) for m in months]}


CHART_HEIGHT = 160


@bp.get("/fakturering/prognos")
@login_required
def forecast_page():
    """The forecast of the actor's own organisation (city finance: ?organisation=CODE), with a chart."""
    actor = http.current_actor()
    if actor is None or not policy.can_see_forecasts(actor):
        abort(403)
    session = http.request_session()
    organisation = find_organisation(session, request.args.get("organisation") or actor.organisation_code)
    if organisation is None or not policy.can_see_forecast(actor, organisation.id):
        abort(404)
    try:
        months_wanted = int(request.args.get("months", 12))
        first = parse_period(request.args.get("from") or period_of(clock.today()))
    except (ValueError, DomainError):
        abort(404)
    if not 1 <= months_wanted <= MAX_MONTHS:
        abort(404)
    months = forecast(session, organisation.id, first, months_wanted)
    top = max([1] + [max(m.cost_ore + m.cost_requested_ore, m.revenue_ore + m.revenue_requested_ore) for m in months])
    scale = CHART_HEIGHT / top
    return render_template("billing/forecast.html", organisation=organisation, months=months, scale=scale,
                           chart_height=CHART_HEIGHT)
