"""District finance's own pages: its organisation's months (open ones previewed, closed ones with
their statement files) and the start-page panels. Registered on billing.views' blueprint."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from billing import queries, statements
from billing.disputes import service as disputes
from billing.disputes.models import DisputeStatus
from billing.views import bp
from catalog.models import Organisation
from marketplace.auth import policy
from marketplace.i18n import format_sek
from marketplace.kernel import clock, http
from marketplace.shell import home

CLOSED_SHOWN = 6  # the last closed months on the district page
DISPUTES_SHOWN = 50  # open disputes on the district page (both sides); the disputes list has the rest
OPEN_SHOWN = 2  # the current month and the one before, while it is open


@dataclass(frozen=True)
class MonthRow:
    statement: statements.Statement

    @property
    def period(self) -> str:
        return self.statement.period


def _months(session, organisation: Organisation, *, closed_shown: int = CLOSED_SHOWN) -> tuple[list[MonthRow], list[MonthRow]]:
    """The open months (newest first: the current one and the previous while open) and the last closed ones."""
    periods = queries.list_periods(session, today=clock.today(), months_back=24)
    open_rows = [MonthRow(statements.statement(session, p.period, organisation))
                 for p in periods[:OPEN_SHOWN] if p.status == "open"]
    closed = [p for p in periods if p.status == "closed"][:closed_shown]
    closed_rows = [MonthRow(statements.statement(session, p.period, organisation)) for p in closed]
    return open_rows, closed_rows


def _own_organisation(session, actor) -> Organisation:
    organisation = session.get(Organisation, actor.organisation_id)
    if organisation is None:
        abort(404)
    return organisation


@bp.get("/fakturering/var-ekonomi")
@login_required
def district():
    """District finance's start in billing: its own open months previewed and its last closed months with files."""
    actor = http.current_actor()
    if actor is None or not policy.is_district_finance(actor):
        abort(403)
    session = http.request_session()
    organisation = _own_organisation(session, actor)
    open_rows, closed_rows = _months(session, organisation)
    waiting, waiting_total = disputes.list_disputes(session, actor, status=DisputeStatus.OPEN.value,
                                                    organisation_id=organisation.id, limit=DISPUTES_SHOWN)
    names = disputes.organisation_names(session, {d.buyer_organisation_id for d in waiting}
                                        | {d.provider_organisation_id for d in waiting})
    return render_template("billing/district.html", organisation=organisation, open_rows=open_rows,
                           closed_rows=closed_rows, disputes_bought=[d for d in waiting if d.buyer_organisation_id == organisation.id],
                           disputes_sold=[d for d in waiting if d.provider_organisation_id == organisation.id],
                           disputes_total=waiting_total, names=names)


def district_panels(session, actor) -> list:
    """District finance: the open month's preview of its statement and its last closed months."""
    if actor is None or not policy.is_district_finance(actor):
        return []
    organisation = session.get(Organisation, actor.organisation_id)
    if organisation is None:
        return []
    open_rows, closed_rows = _months(session, organisation, closed_shown=3)

    def item(row: MonthRow) -> home.PanelItem:
        s = row.statement
        return home.PanelItem(
            text=s.period, url=url_for("billing.statement", period=s.period, code=s.organisation_code),
            note=_("köpt %(bought)s, sålt %(sold)s, netto %(net)s", bought=format_sek(s.purchases_total_ore),
                   sold=format_sek(s.sales_total_ore), net=format_sek(s.net_ore)))

    more = url_for("billing.district")
    return [
        home.Panel(title=_("Öppna månader (förhandsvisning)"), items=[item(r) for r in open_rows],
                   empty_text=_("Inga öppna månader."), more_url=more, more_text=_("Vår ekonomi")),
        home.Panel(title=_("Senast stängda månader"), items=[item(r) for r in closed_rows],
                   empty_text=_("Ingen månad är stängd än."), more_url=more, more_text=_("Vår ekonomi")),
    ]


if district_panels not in home.PANEL_PROVIDERS:
    home.PANEL_PROVIDERS.append(district_panels)
