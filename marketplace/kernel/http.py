"""Flask glue: the request's database session, the current actor, paging, locale helpers."""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_login import current_user
from sqlalchemy.orm import Session

from marketplace.auth.policy import Actor
from marketplace.kernel.config import Settings
from marketplace.kernel.paging import Page  # also re-exported: callers use http.Page
from marketplace.kernel.redirects import same_origin_path


class ApiError(Exception):
    """Raised inside API handlers; the app turns it into problem+json."""

    def __init__(self, status: int, detail: str, *, kind: str | None = None, errors=None, headers=None):
        super().__init__(detail)
        self.status, self.detail, self.kind, self.errors, self.headers = status, detail, kind, errors, headers


def settings() -> Settings:
    return current_app.extensions["insatstorget"].settings


def engine():
    return current_app.extensions["insatstorget"].engine


def request_session() -> Session:
    """One database session per request, closed at teardown."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
        g.db_session.info["unsafe_disable_capacity_lock"] = settings().unsafe_disable_capacity_lock
    return g.db_session


def close_request_session(_exc=None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def safe_next(target: str | None, default: str | None = None) -> str:
    """Where to go after a form: only a path on this site (no open redirect,
    marketplace/redirects.py), else `default` or the start page. Every redirect to a
    user-given target goes through here."""
    return same_origin_path(target) or default or url_for("home.index")


def client_ip() -> str:
    return request.remote_addr or "unknown"


def current_actor() -> Actor | None:
    """The actor of this request: a bearer token on /api, the sign-in session on pages."""
    if "actor" in g:
        return g.actor
    actor = None
    if request.path.startswith("/api/"):
        from marketplace.auth.tokens import actor_for_bearer

        actor = actor_for_bearer(request_session(), request.headers.get("Authorization", ""),
                                 cache_seconds=settings().api_token_cache_seconds)
    elif current_user and current_user.is_authenticated:
        actor = current_user.actor
    g.actor = actor
    return actor


def require_api_actor() -> Actor:
    actor = current_actor()
    if actor is None:
        raise ApiError(401, "Sign in: send Authorization: Bearer <token> from POST /api/v1/auth/token.",
                       headers={"WWW-Authenticate": 'Bearer realm="insatstorget"'})
    return actor


def fetch_page(fetch, page: Page):
    """(items, total, page) from `fetch(page) -> (items, total)`; a page past the end (an old
    link) is fetched again as the last page."""
    items, total = fetch(page)
    if page != page.within(total):
        page = page.within(total)
        items, total = fetch(page)
    return items, total, page


def page_args(default_per_page: int = 20, max_per_page: int = 100, param: str = "page") -> Page:
    """Paging from the query string for pages (the API validates with pydantic instead).

    A page with two lists gives the second its own `param`."""
    try:
        page = min(max(1, int(request.args.get(param, 1))), 1_000_000)  # a huge page would overflow OFFSET
    except ValueError:
        page = 1
    try:
        per_page = min(max_per_page, max(1, int(request.args.get("per_page", default_per_page))))
    except ValueError:
        per_page = default_per_page
    return Page(page, per_page)
