"""Pages: the statistics page (period and organisation by GET, charts with tables), its files,
and the yearly national report file."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required
from babel.numbers import format_decimal
from markupsafe import Markup
from sqlalchemy import select

from catalog.models import Organisation
from marketplace.kernel import clock, http
from marketplace.i18n import current_locale, label
from marketplace.auth import policy
from marketplace.kernel.errors import Invalid
from marketplace.stats import charts, exports, national
from marketplace.stats.params import read_scope, read_sort
from marketplace.stats.report import build_report

bp = Blueprint("stats", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_actor():
    actor = http.current_actor()
    if actor is None or not policy.can_see_statistics(actor):
        abort(403)
    return actor


def _organisations(session):
    return session.execute(select(Organisation.code, Organisation.name).order_by(Organisation.name)).all()


def _scope_from_request(session):
    return read_scope(session, from_text=request.args.get("from"), to_text=request.args.get("to"),
                      organisation=request.args.get("organisation"), today=clock.today())


def _charts(report) -> dict[str, Markup]:
    occupancy = report.table("occupancy")
    programme = report.table("programme")
    money = report.table("money")
    return {
        "placements": Markup(charts.bar_chart(
            "chart-placements", _("Placeringar under perioden"), _("Påbörjade, pågående och avslutade placeringar."),
            [(label(row[0]), row[1]) for row in report.table("placements").rows], hidden_text=_("färre än 5"))),
        "occupancy": Markup(charts.bar_chart(
            "chart-occupancy", _("Beläggning per insats"), _("Använda platsdagar i procent av erbjudna, per insats."),
            [(row[0], row[5]) for row in occupancy.rows], suffix=" %", hidden_text=_("inga platser"))),
        "work_share": Markup(charts.bar_chart(
            "chart-work", _("Andel till arbete per insats"), _("Andel av de avslutade placeringarna som ledde till arbete."),
            [(label(row[0]), row[-1]) for row in programme.rows], suffix=" %", hidden_text=_("färre än 5"))),
        "money": Markup(charts.line_chart(
            "chart-money", _("Köpt och sålt per månad"), _("Belopp i kronor per månad: köpt och sålt."),
            [row[0] for row in money.rows], [(_("Köpt"), [row[1] for row in money.rows]),
                                             (_("Sålt"), [row[2] for row in money.rows])])),
    }


@bp.get("/statistik")
@login_required
def index():
    actor = _require_actor()
    session = http.request_session()
    errors, report, sort = [], None, ("organisation", False)
    try:
        scope, code = _scope_from_request(session)
        sort = read_sort(request.args.get("sort"))
    except Invalid as error:
        errors = [(field, _(message)) for field, message in error.errors]
    else:
        report = build_report(session, scope, code, buyer_sort=sort)
    return render_template("marketplace/stats/index.html", report=report, errors=dict(errors),
                           charts=_charts(report) if report else {}, organisations=_organisations(session),
                           args=request.args, query=_query_args(), sort=sort,
                           may_export_national=policy.can_export_national_report(actor),
                           this_year=clock.today().year), 422 if errors else 200


def _query_args() -> dict:
    return {key: request.args[key] for key in ("from", "to", "organisation", "sort") if request.args.get(key)}


@bp.app_template_global()
def stat_money(value) -> str:
    """Kronor with two decimals in the current locale (an estimate; billing's files are the accounts)."""
    return format_decimal(value, format="#,##0.00", locale=current_locale())


@bp.app_template_global()
def stat_decimal(value) -> str:
    return format_decimal(value, format="#,##0.0", locale=current_locale())


def _file(data: bytes, mimetype: str, name: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _file_stem(report) -> str:
    scope = report.scope
    return f"statistik_{report.organisation_code or 'staden'}_{scope.from_date.isoformat()}_{scope.to_date.isoformat()}"


@bp.get("/statistik/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    _require_actor()
    session = http.request_session()
    try:
        scope, code = _scope_from_request(session)
        sort = read_sort(request.args.get("sort"))
    except Invalid:
        abort(422)
    report = build_report(session, scope, code, buyer_sort=sort)
    heading = f"{report.organisation_code or 'Hela staden'} {scope.from_date.isoformat()}–{scope.to_date.isoformat()}"
    if fmt == "xlsx":
        return _file(exports.write_xlsx(report.tables, heading=heading), XLSX, _file_stem(report) + ".xlsx")
    key = request.args.get("table", "programme")
    table = next((t for t in report.tables if t.key == key), None) or abort(404)
    return _file(exports.write_csv(table), "text/csv; charset=utf-8", f"{_file_stem(report)}_{key}.csv")


@bp.get("/statistik/nationell.<any(csv, xlsx):fmt>")
@login_required
def national_report(fmt: str):
    actor = _require_actor()
    if not policy.can_export_national_report(actor):
        abort(403)
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        abort(422)
    if not 2000 <= year <= clock.today().year + 1:
        abort(422)
    table = national.national_table(http.request_session(), year)
    if fmt == "xlsx":
        return _file(exports.write_xlsx([table], heading=table.title), XLSX, f"nationell_rapport_{year}.xlsx")
    return _file(exports.write_csv(table), "text/csv; charset=utf-8", f"nationell_rapport_{year}.csv")
