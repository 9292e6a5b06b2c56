"""Coordinators' list work: the placement list as CSV or XLSX (the page's filter), and several
requests approved or rejected at once from the inbox with a result per booking.

Thin adapters: the rows come from export_rows, the decisions from bulk (each by the rules of
a single decision), the files from kernel.table_files."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.auth import policy
from marketplace.bookings import bulk, export_rows, views
from marketplace.bookings.forms import OUTCOME_LABELS, STATUS_LABELS, BulkDecisionForm
from marketplace.kernel import clock, http, table_files
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Forbidden, NotFound

bp = Blueprint("bookings_bulk", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _actor():
    actor = http.current_actor()
    if actor is None:
        abort(401)
    return actor


def download(data: bytes, fmt: str, filename: str) -> Response:
    mimetype = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _label(kind: str, code: str) -> str:
    labels = STATUS_LABELS if kind == "status" else OUTCOME_LABELS
    return _(labels[code]) if code in labels else code


@bp.get("/placeringar/export.<any(csv, xlsx):fmt>")
@login_required
def export(fmt: str):
    """The placements at the coordinator's organisation with the list page's status filter."""
    actor = _actor()
    if not policy.can_export_bookings(actor):
        abort(403)
    session = http.request_session()
    status = request.args.get("status") or None
    if status not in STATUS_LABELS:
        status = None
    data = export_rows.booking_rows(session, actor, status=status, label=_label,
                                    to_local=lambda moment: clock.local(moment).date())
    with transaction(session, write_lock=True):
        export_rows.record_export(session, actor, rows=len(data.rows), participants_shown=data.participants_shown,
                                  what="bookings", fmt=fmt, filters={"status": status}, truncated=data.truncated,
                                  now=clock.now(), ip=http.client_ip())
    header = [_(label) for _key, label in export_rows.COLUMNS]
    stem = f"placeringar-{actor.organisation_code}-{status or 'alla'}-{clock.today().isoformat()}"
    if fmt == "xlsx":
        heading = _("Placeringar hos %(organisation)s, %(day)s", organisation=actor.organisation_name,
                    day=clock.today().isoformat())
        return download(table_files.write_xlsx(header, data.rows, title=_("Placeringar"), heading=heading), fmt,
                        stem + ".xlsx")
    return download(table_files.write_csv(header, data.rows), fmt, stem + ".csv")


# --- several decisions at once from the inbox -----------------------------------------------------


@bp.app_template_global()
def bulk_decision_form() -> BulkDecisionForm:
    """The inbox's decision form: the one just posted with its errors, or an empty one."""
    form = g.get("bulk_decision_form")
    if form is None:
        form = BulkDecisionForm(formdata=None)
        form.selected = set()
    return form


def _selected_ids() -> list[int]:
    ids = []
    for value in request.form.getlist("booking"):
        if value.isdigit() and 0 < int(value) < 2**31 and int(value) not in ids:
            ids.append(int(value))
    return ids


def _result_message(result: bulk.Result) -> str:
    error = result.error
    # Chosen by kind, like views._message: a domain message is never passed through gettext.
    if isinstance(error, NotFound):
        return _("Det finns ingen sådan placering.")
    if isinstance(error, Forbidden):
        return _("Bara anordnarens samordnare beslutar om en förfrågan.")
    return views._message(error, error.field)


@bp.post("/forfragningar/beslut")
@login_required
def decide():
    """Approve or reject the ticked requests; each is decided on its own and the page lists each result."""
    actor = _actor()
    if not policy.can_decide_in_bulk(actor):
        abort(403)
    form = BulkDecisionForm()
    ids = _selected_ids()
    valid = form.validate_on_submit()
    if not ids:
        form.form_errors.append(_("Markera minst en förfrågan."))
    elif len(ids) > bulk.MAX_DECISIONS:
        form.form_errors.append(_("Markera högst %(n)s förfrågningar åt gången.", n=bulk.MAX_DECISIONS))
    if valid and form.decision.data == "reject" and not (form.reason.data or "").strip():
        form.reason.errors.append(_("Skriv en motivering för avslaget."))
    if form.errors or form.form_errors:
        form.selected = set(ids)
        g.bulk_decision_form = form
        return views.incoming(), 422
    session = http.request_session()
    decisions = [bulk.Decision(booking_id, form.decision.data, form.reason.data) for booking_id in ids]
    results = bulk.decide_many(session, actor, decisions, now=clock.now, hold_days=http.settings().hold_days,
                               ip=http.client_ip())
    rows = [(result, None if result.ok else _result_message(result)) for result in results]
    done = sum(1 for result in results if result.ok)
    return render_template("marketplace/bookings/bulk_result.html", rows=rows, decision=form.decision.data,
                           done=done, failed=len(results) - done, **views._labels())
