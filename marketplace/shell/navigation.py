"""The main menu by role: one list; an entry shows when its page exists and the policy allows it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l

from marketplace.kernel import http
from marketplace.auth import policy


@dataclass(frozen=True)
class NavEntry:
    label: object
    endpoint: str
    allowed: object  # (Actor) -> bool


NAV = (
    NavEntry(_l("Start"), "home.index", lambda actor: True),
    NavEntry(_l("Sök insatser"), "programmes.search", policy.can_search_catalogue),
    NavEntry(_l("Mina placeringar"), "bookings.mine", lambda actor: actor.has("staff")),
    # supervisors (their programmes' placements) and managers (the organisation's, without participants)
    NavEntry(_l("Placeringar"), "bookings.mine",
             lambda actor: policy.can_list_bookings(actor) and not (actor.has("staff") or actor.has("coordinator"))),
    NavEntry(_l("Inkommande förfrågningar"), "bookings.incoming", lambda actor: actor.has("coordinator")),
    NavEntry(_l("Våra insatser"), "programmes.manage", lambda actor: actor.has("coordinator") or actor.is_admin),
    NavEntry(_l("Uppföljningar"), "followups.index", policy.can_list_followups),
    NavEntry(_l("Fakturering"), "billing.index", policy.can_see_billing),
    NavEntry(_l("Vår ekonomi"), "billing.district", policy.is_district_finance),
    NavEntry(_l("Prognos"), "billing.forecast_page", policy.can_see_forecasts),
    NavEntry(_l("Statistik"), "stats.index", policy.can_see_statistics),
    NavEntry(_l("Användare"), "auth.users", policy.can_manage_users),
    NavEntry(_l("Administration"), "admin.index", lambda actor: actor.is_admin),
)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


def nav_items() -> list[NavItem]:
    actor = http.current_actor()
    if actor is None:
        return []
    items = []
    for entry in NAV:
        if entry.endpoint in current_app.view_functions and entry.allowed(actor):
            url = url_for(entry.endpoint)
            items.append(NavItem(str(entry.label), url, request.endpoint == entry.endpoint))
    return items
