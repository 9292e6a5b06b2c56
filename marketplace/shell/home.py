"""The start page: for each role, what waits for it. Packages add panels to PANEL_PROVIDERS."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from marketplace.kernel import http

bp = Blueprint("home", __name__)


@dataclass
class PanelItem:
    text: str
    url: str | None = None
    note: str | None = None


@dataclass
class Panel:
    """One box on the start page: a heading, a few items, and where to see all."""

    title: str
    items: list[PanelItem] = field(default_factory=list)
    empty_text: str = ""
    more_url: str | None = None
    more_text: str | None = None


# Functions (session, actor) -> list[Panel]; each package appends its own (see app factory).
PANEL_PROVIDERS: list = []


@bp.get("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    actor = http.current_actor()
    session = http.request_session()
    panels = [panel for provider in PANEL_PROVIDERS for panel in provider(session, actor)]
    return render_template("marketplace/home/index.html", panels=panels, actor=actor)


@bp.get("/healthz")
def health():
    """Liveness and database reachability for the load balancer (no sign-in)."""
    from sqlalchemy import text

    http.request_session().execute(text("SELECT 1"))
    return {"status": "ok"}
