"""The attendance of a month as XLSX for the provider's coordinators (linked from the placement list)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.auth import policy
from marketplace.followups import month_rows
from marketplace.kernel import clock, http, table_files
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Invalid

bp = Blueprint("followups_exports", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_global()
def current_month() -> str:
    """This month as YYYY-MM (the attendance form's default)."""
    return clock.today().strftime("%Y-%m")


@bp.get("/placeringar/narvaro.xlsx")
@login_required
def attendance_month():
    actor = http.current_actor()
    if actor is None:
        abort(401)
    if not policy.can_export_bookings(actor):
        abort(403)
    month = (request.args.get("manad") or "").strip()
    try:
        first, last = month_rows.parse_month(month)
    except Invalid as error:
        return render_template("errors.html", status=422, message=_(error.message)), 422
    session = http.request_session()
    data = month_rows.month_rows(session, actor, first=first, last=last, recorded_label=_("ja"))
    with transaction(session, write_lock=True):
        month_rows.record_export(session, actor, data, month=month, now=clock.now(), ip=http.client_ip())
    heading = _("Närvaro %(month)s, %(organisation)s", month=month, organisation=actor.organisation_name)
    body = table_files.write_xlsx([_(label) for label in month_rows.COLUMNS], data.rows, title=_("Närvaro %(month)s", month=month),
                                  heading=heading)
    return Response(body, mimetype=XLSX, headers={
        "Content-Disposition": f'attachment; filename="narvaro-{actor.organisation_code}-{month}.xlsx"'})
