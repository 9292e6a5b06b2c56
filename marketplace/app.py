"""The composition root: build the Flask app from Settings and wire every package in."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import Response, current_app, render_template, request
from flask_babel import Babel
from flask_openapi3 import Info, OpenAPI
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from marketplace import i18n
from marketplace.kernel import clock, field_crypto, http
from marketplace.kernel.config import DEVELOPMENT_SECRET_KEY, Settings
from marketplace.kernel.db import make_engine
from marketplace.kernel.errors import DomainError
from marketplace.kernel.json_provider import DepthSafeJSONProvider
from marketplace.kernel.problems import problem, refuse_unreadable_json, validation_error_response

ROOT = Path(__file__).resolve().parent.parent
_log = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'self'; object-src 'none'"
)


@dataclass
class Extension:
    settings: Settings
    engine: object


csrf = CSRFProtect()


def create_app(settings: Settings | None = None) -> OpenAPI:
    settings = settings or Settings()
    settings.check_startable()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    clock.freeze(settings.now)
    field_crypto.configure(settings)

    app = OpenAPI(
        "marketplace",
        info=Info(title="Insatstorget API", version="1.0", description="The City of Stockholm's marketplace for work-training places."),
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        doc_prefix="/api/v1",
        doc_url="/openapi.json",
        doc_ui=False,
        validation_error_status=422,
        validation_error_callback=validation_error_response,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(settings.instance_path.resolve()),
    )
    app.json = DepthSafeJSONProvider(app)  # deeply nested request JSON is a 400, not a 500
    app.config.update(
        SECRET_KEY=settings.secret_key or DEVELOPMENT_SECRET_KEY,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production,
        SESSION_COOKIE_NAME="insatstorget_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=settings.is_production,
        PREFERRED_URL_SCHEME="https" if settings.is_production else "http",
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=settings.is_production,
        BABEL_DEFAULT_LOCALE="sv",
        BABEL_DEFAULT_TIMEZONE="Europe/Stockholm",
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "translations"),
        TESTING=settings.env == "test",
    )
    if settings.trusted_proxy_hops:
        # The client's address and scheme from the proxies we run, never from the client itself.
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    app.extensions["insatstorget"] = Extension(settings, make_engine(
        settings.resolved_database_url(), pool_size=settings.db_pool_size, lock_timeout_ms=settings.db_lock_timeout_ms))

    i18n.compile_catalogues(ROOT / "translations")
    Babel(app, locale_selector=i18n.select_locale, timezone_selector=lambda: "Europe/Stockholm")
    csrf.init_app(app)
    from marketplace.auth.signin import login_manager

    login_manager.init_app(app)
    from marketplace.auth import oidc

    oidc.init_app(app, settings)  # single sign-on, when the provider is configured
    origin = oidc.provider_origin(settings)
    # Signing out through the provider's end-session page is a form's redirect: allow that origin.
    app.config["CONTENT_SECURITY_POLICY"] = (
        CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}") if origin
        else CONTENT_SECURITY_POLICY)
    from marketplace.audit.http_hook import record_refused_request
    from marketplace.auth.second_factor import require_full_sign_in

    app.before_request(require_full_sign_in)  # admin/finance: nothing before the second factor
    from marketplace.auth.api_auth import require_token_first

    app.before_request(require_token_first)  # API: 401 before any validation (API.md)
    app.before_request(refuse_unreadable_json)  # then 400 for a body that is not JSON
    app.after_request(record_refused_request)  # every refused request goes to the audit log
    app.teardown_appcontext(http.close_request_session)
    from marketplace.kernel.url_converters import DatabaseIntConverter

    app.url_map.converters["int"] = DatabaseIntConverter  # before any rule: huge ids are 404, not 500
    _register_blueprints(app)
    from marketplace.scheduler import wire_events

    wire_events()  # booking transitions and month closes fill the webhook outbox
    _register_error_handlers(app)
    app.after_request(_security_headers)
    from marketplace.kernel import server_timing

    server_timing.install(app)
    from marketplace.shell.navigation import nav_items

    app.jinja_env.globals.update(i18n.template_globals(), nav_items=nav_items,
                                 sso_enabled=lambda: settings.oidc_enabled,
                                 password_login_enabled=lambda: settings.password_login)
    app.jinja_env.filters.update(i18n.template_filters())
    return app


# Every package that serves HTTP, in one explicit list: "module:attribute".
PAGE_BLUEPRINTS = (
    "marketplace.shell.home:bp",
    "marketplace.auth.views:bp",
    "marketplace.auth.second_factor:bp",
    "marketplace.auth.sessions_page:bp",
    "marketplace.auth.oidc_views:bp",
    "marketplace.admin.views:bp",
    "marketplace.followups.views:bp",
    "marketplace.programmes.views:bp",
    "marketplace.programmes.supervisors:bp",
    "marketplace.bookings.views:bp",
    "marketplace.bookings.bulk_views:bp",
    "marketplace.followups.export_views:bp",
    "marketplace.collaboration.views:bp",
    "marketplace.meetings.views:bp",
    "marketplace.notifications.views:bp",
    "marketplace.stats.views:bp",
    "billing.views:bp",
    "billing.disputes.views:bp",
)
API_BLUEPRINTS = (
    "marketplace.auth.api:api",
    "marketplace.stats.api:api",
    "billing.api:api",
    "billing.disputes.api:api",
    "marketplace.programmes.api:api",
    "marketplace.programmes.supervisors_api:api",
    "marketplace.bookings.api:api",
    "marketplace.bookings.bulk_api:api",
    "marketplace.webhooks.api:api",
    "marketplace.collaboration.api:api",
    "marketplace.meetings.api:api",
    "marketplace.notifications.api:api",
    "marketplace.followups.api:api",
)


def _load(path: str):
    module_name, attribute = path.split(":")
    return getattr(__import__(module_name, fromlist=[attribute]), attribute)


def _register_blueprints(app: OpenAPI) -> None:
    for path in PAGE_BLUEPRINTS:
        app.register_blueprint(_load(path))
    for path in API_BLUEPRINTS:
        api_blueprint = _load(path)
        csrf.exempt(api_blueprint)  # the API authenticates with bearer tokens, never cookies
        app.register_api(api_blueprint)
    app.add_url_rule("/api/v1/openapi.json", "openapi_document", lambda: app.api_doc)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.config.get("CONTENT_SECURITY_POLICY", CONTENT_SECURITY_POLICY))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if http.settings().is_production or request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/") or "text/html" in (response.mimetype or ""):
        headers.setdefault("Cache-Control", "no-store")
    return response


def _wants_problem() -> bool:
    return request.path.startswith("/api/")


def _register_error_handlers(app: OpenAPI) -> None:
    @app.errorhandler(http.ApiError)
    def _api_error(error: http.ApiError):
        return problem(error.status, error.detail, kind=error.kind, errors=error.errors, headers=error.headers)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        if _wants_problem():
            errors = getattr(error, "errors", None) or ([(error.field, error.message)] if error.field else None)
            return problem(error.status, error.message, kind=error.code, errors=errors)
        return render_template("errors.html", status=error.status, message=i18n.translated(error.message)), error.status

    @app.errorhandler(CSRFError)
    def _csrf_error(error: CSRFError):
        return render_template("errors.html", status=400, message=i18n.gettext_lazy_csrf()), 400

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if _wants_problem():
            return problem(error.code or 500, error.description)
        return render_template("errors.html", status=error.code, message=None), error.code

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError):
        # Locked or unreachable database: the transaction was rolled back; ask to retry.
        _log.warning("database unavailable: %s", error.orig.__class__.__name__)
        if _wants_problem():
            return problem(503, "The database is busy or unavailable; try again shortly.", headers={"Retry-After": "5"})
        response = Response(render_template("errors.html", status=503, message=None), status=503)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        _log.exception("unhandled error on %s %s", request.method, request.path)
        if _wants_problem():
            return problem(500, "An unexpected error occurred; it has been logged.")
        return render_template("errors.html", status=500, message=None), 500
