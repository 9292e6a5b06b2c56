"""Flask glue for the audit log: every refused request is recorded (who, when, what, from where).

403 and 404 answers to a signed-in actor, 401 to a request that sent a bearer token, and
401/429/503 at the sign-in steps (a 503 there also leaves a login_attempt row). Runs as app.after_request, after the view's own transaction.
"""

from __future__ import annotations

import logging

from flask import Response, request

from marketplace import audit
from marketplace.kernel import clock, http
from marketplace.auth import throttle
from marketplace.kernel.db import transaction

_log = logging.getLogger(__name__)
SIGN_IN_ENDPOINTS = frozenset({"auth.login", "auth_api.issue_token", "second_factor.verify", "second_factor.enrol"})
ACTIONS = {401: "access.unauthenticated", 403: "access.denied", 404: "access.not_found", 429: "auth.throttled",
           503: "auth.sign_in_unavailable"}
PASSWORD_STEPS = frozenset({"auth.login", "auth_api.issue_token"})


def _attempted_email() -> str | None:
    if request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    else:
        email = request.form.get("email")
    return str(email)[:254] if email else None


def record_refused_request(response: Response) -> Response:
    status = response.status_code
    if status not in ACTIONS:
        return response
    try:
        sign_in_step = request.endpoint in SIGN_IN_ENDPOINTS
        actor = http.current_actor()
        details = {"method": request.method, "status": status, "endpoint": request.endpoint}
        if status == 503 and not sign_in_step:
            return response  # a busy database elsewhere is logged by the error handler
        if status in (401, 429, 503) and sign_in_step:
            action = {429: "auth.throttled", 503: ACTIONS[503]}.get(status, "auth.sign_in_refused")
            details["email"] = actor.email if actor else _attempted_email()
        elif status == 401:
            if "Authorization" not in request.headers:
                return response  # not signed in at all: nothing to attribute
            action = ACTIONS[status]
        elif actor is None:
            return response  # anonymous browsing is sent to the sign-in page, not refused
        else:
            action = ACTIONS[status]
        session = http.request_session()
        session.rollback()  # the view's work is finished; never commit anything it left behind
        with transaction(session):
            audit.record(session, actor=actor, action=action, object_type="request", object_id=request.path[:60],
                         now=clock.now(), ip=http.client_ip(), outcome="refused", details=details)
            if status == 503 and sign_in_step:  # the throttle's own record of an attempt it never saw
                throttle.record_unavailable(
                    session, email=details["email"] or "", ip=http.client_ip(), now=clock.now(),
                    kind=throttle.PASSWORD if request.endpoint in PASSWORD_STEPS else throttle.SECOND_FACTOR)
    except Exception:  # the refusal stands even if it cannot be recorded (database down)
        _log.warning("could not record a refused request to %s", request.endpoint, exc_info=True)
    return response
