"""API: GET /api/v1/statistics — the statistics page's figures as JSON (same tables, same suppression)."""

from __future__ import annotations

from datetime import date

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from marketplace.kernel import clock, http
from marketplace.kernel.api_models import QueryModel
from marketplace.auth import policy
from marketplace.kernel.errors import Invalid
from marketplace.kernel.problems import Problem
from marketplace.stats.params import read_scope, read_sort
from marketplace.stats.report import json_value, build_report

api = APIBlueprint("stats_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="statistics")])


class StatisticsQuery(QueryModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    from_: date | None = Field(None, alias="from", description="First day, YYYY-MM-DD (default: 1 January this year)")
    to: date | None = Field(None, description="Last day, YYYY-MM-DD (default: today)")
    organisation: str | None = Field(None, max_length=16, description="Organisation code; omit for the whole city")
    sort: str | None = Field(None, max_length=40, description=(
        "Order of the buyers table (organisations side by side): organisation, placements_started, requests, "
        "median_days_to_decision, median_days_to_start, refused_or_expired_share, work_or_studies_share or "
        "cost_per_placement_month; '-' in front for descending. The city's reference row stays first."))


class StatisticsOut(BaseModel):
    period: dict
    organisation: str | None
    summary: dict
    tables: list[dict]


@api.get("/statistics", responses={200: StatisticsOut, 401: Problem, 403: Problem, 422: Problem}, security=[{"bearer": []}])
def statistics(query: StatisticsQuery):
    """Placements, occupancy, waitlist, outcomes, money, buyers side by side, waitlists per category and month and
    the most frequent searches that found nothing; null where fewer than 5 people would show."""
    actor = http.require_api_actor()
    if not policy.can_see_statistics(actor):
        raise http.ApiError(403, "You may not see statistics.")
    session = http.request_session()
    try:
        scope, code = read_scope(session, from_text=query.from_.isoformat() if query.from_ else None,
                                 to_text=query.to.isoformat() if query.to else None,
                                 organisation=query.organisation, today=clock.today())
        sort = read_sort(query.sort)
    except Invalid as error:
        raise http.ApiError(422, "The statistics query has invalid fields.", kind="validation",
                            errors=[(field, message) for field, message in error.errors])
    report = build_report(session, scope, code, buyer_sort=sort)
    return {"period": {"from": scope.from_date.isoformat(), "to": scope.to_date.isoformat()},
            "organisation": code, "summary": {key: json_value(value) for key, value in report.summary.items()},
            "tables": [table.as_dict() for table in report.tables]}
