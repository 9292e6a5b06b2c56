"""API: a month's lines and totals, closing it, and its files (API.md, "Billing")."""

from __future__ import annotations

import io

from flask import send_file
from flask_openapi3 import APIBlueprint, Tag

from billing import dimensions, money, operations, queries, statements
from billing.disputes import service as disputes
from billing.schemas import (CloseOut, FilePath, fallback_out, PeriodOut, PeriodPath, StatementOut, StatementPath, StatementQuery,
                             line_out, total_out)
from billing.storage import FORMATS, MEDIA_TYPES
from marketplace.kernel import clock, http
from marketplace.auth import policy
from marketplace.kernel.problems import Problem

api = APIBlueprint("billing_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="billing")])
SECURITY = [{"bearer": []}]


def _require(allowed) -> object:
    actor = http.require_api_actor()
    if not allowed(actor):
        raise http.ApiError(403, "Billing is for the finance role.")
    return actor


def _file_url(period: str, fmt: str) -> str:
    return f"/api/v1/billing/periods/{period}/files/{fmt}"


@api.get("/billing/periods/<period>", responses={200: PeriodOut, 401: Problem, 403: Problem, 422: Problem},
         security=SECURITY)
def get_period(path: PeriodPath):
    """A month's lines and totals; for an open month, the preview of what closing would write."""
    _require(policy.can_see_billing)
    session = http.request_session()
    view = queries.period_view(session, path.period, today=clock.today())
    return {
        "period": view.period, "status": view.status,
        "lines": [line_out(line) for line in view.lines],
        "totals": [total_out(total) for total in view.totals],
        "total": money.money(view.total_ore),
        "programmes_without_activity_code": [fallback_out(p) for p in dimensions.fallbacks(session, path.period)],
    }


@api.post("/billing/periods/<period>/close",
          responses={200: CloseOut, 401: Problem, 403: Problem, 409: Problem, 422: Problem}, security=SECURITY)
def close_period(path: PeriodPath):
    """Close a month that has ended (idempotent: closing again answers the same)."""
    actor = _require(policy.can_close_month)
    result, files = operations.close_and_store(
        http.request_session(), path.period, actor=actor, now=clock.now(),
        instance_path=http.settings().instance_path, ip=http.client_ip())
    return {"period": path.period, "status": "closed",
            "files": [{"format": f.format, "sha256": f.sha256, "url": _file_url(path.period, f.format)}
                      for f in sorted(files, key=lambda f: FORMATS.index(f.format))],
            "open_disputes": disputes.open_on_out(http.request_session(), path.period),
            "programmes_without_activity_code": [fallback_out(p) for p in result.without_own_activity_code]}


@api.get("/billing/periods/<period>/files/<fmt>", responses={401: Problem, 403: Problem, 409: Problem, 422: Problem},
         security=SECURITY)
def get_file(path: FilePath):
    """A closed month's file (csv, xlsx or sie), byte-identical on every download."""
    actor = _require(policy.can_see_billing)
    stored = operations.fetch_file(http.request_session(), path.period, path.fmt, actor=actor, now=clock.now(),
                                   instance_path=http.settings().instance_path, ip=http.client_ip())
    response = send_file(stored.path, mimetype=MEDIA_TYPES[stored.format], as_attachment=True,
                         download_name=stored.filename, conditional=False, etag=stored.sha256)
    response.headers["X-Content-SHA256"] = stored.sha256
    return response


@api.get("/billing/periods/<period>/statements/<organisation_code>",
         responses={200: StatementOut, 401: Problem, 403: Problem, 404: Problem, 422: Problem}, security=SECURITY)
def get_statement(path: StatementPath, query: StatementQuery):
    """One organisation's purchases and sales in a month (open: the preview); ?format=csv or xlsx for a file.
    City finance sees every organisation's statement, district finance only its own (others answer 404)."""
    actor = http.require_api_actor()
    if not policy.can_see_statements(actor):
        raise http.ApiError(403, "Statements are for the finance roles.")
    session = http.request_session()
    organisation = statements.find_organisation(session, path.organisation_code)
    if organisation is None or not policy.can_see_statement(actor, organisation.id):
        raise http.ApiError(404, "No such organisation.")
    result = statements.statement(session, path.period, organisation)
    if query.format != "json":
        data = statements.statement_file(session, result, query.format, now=clock.now())
        return send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[query.format], as_attachment=True,
                         download_name=statements.statement_filename(result, query.format))
    return statement_out(result)


def statement_out(result: statements.Statement) -> dict:
    return {
        "period": result.period, "organisation_code": result.organisation_code, "status": result.status,
        "purchases": {"total": money.money(result.purchases_total_ore), "lines": [line_out(l) for l in result.purchases]},
        "sales": {"total": money.money(result.sales_total_ore), "lines": [line_out(l) for l in result.sales]},
        "net": money.money(result.net_ore),
    }


from billing import forecast_api as _forecast_api  # noqa: E402,F401  (the forecast's page and endpoint)
