"""API: exchange e-mail and password for a bearer token."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from marketplace import audit
from marketplace.kernel import clock, http
from marketplace.auth import accounts, throttle, tokens, totp
from marketplace.kernel.db import transaction
from marketplace.kernel.problems import Problem

api = APIBlueprint("auth_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="auth")])


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    totp: str | None = Field(default=None, max_length=12, description="One-time code; required for admin and finance")


class TokenOut(BaseModel):
    token: str
    expires_at: datetime


def second_factor_refusal(session, user, code: str | None, *, now) -> http.ApiError | None:
    """Admin and finance (and anyone enrolled) must send a valid "totp"; a wrong one counts in the throttle.

    Call inside transaction(session, write_lock=True): the code attempt is reserved, checked
    and settled in that one step (marketplace/auth/throttle.py).
    """
    if not totp.must_verify(user):
        return None
    if not totp.is_enrolled(user):
        return http.ApiError(403, "This account needs a second factor: sign in on the web page and enrol at "
                                  "/konto/tvafaktor first, then send the one-time code as \"totp\".", kind="second_factor_not_enrolled")
    reservation = throttle.code_step_refused(session, email=user.email, ip=http.client_ip(), now=now,
                                             limits=throttle.limits(http.settings()))
    if reservation.refused:
        return _throttled()
    accepted = totp.verify(session, user, code, now=now)
    throttle.settle(session, reservation, "ok" if accepted else "failed")
    if accepted:
        return None
    return http.ApiError(401, "Send the current one-time code from the authenticator app as \"totp\" "
                              "(a code is accepted only once).", kind="second_factor_required",
                         errors=[("totp", "Wrong, reused or missing one-time code.")])


def _throttled() -> http.ApiError:
    return http.ApiError(429, "Too many failed sign-ins; wait ten minutes.", headers={"Retry-After": "600"})


@api.post("/auth/token", responses={200: TokenOut, 401: Problem, 403: Problem, 422: Problem, 429: Problem})
def issue_token(body: TokenIn):
    """Exchange credentials for a bearer token (throttled like the sign-in page)."""
    session, settings = http.request_session(), http.settings()
    now = clock.now()
    if not settings.password_login:
        raise http.ApiError(403, "Password sign-in is turned off on this service.", kind="password_login_off")
    try:
        user = accounts.authenticate(
            session, email=body.email, password=body.password, ip=http.client_ip(), now=now,
            max_failures=settings.login_max_failures, window=timedelta(minutes=settings.login_window_minutes),
        )
    except accounts.Throttled:
        raise _throttled() from None
    if user is None:
        raise http.ApiError(401, "Wrong e-mail or password.")
    with transaction(session, write_lock=True):
        refusal = second_factor_refusal(session, user, body.totp, now=now)
        if refusal is None:
            secret, token = tokens.issue_api_token(session, user, now=now, lifetime=timedelta(hours=settings.token_hours))
    if refusal is not None:
        raise refusal
    return TokenOut(token=secret, expires_at=token.expires_at).model_dump(mode="json")


class MeOut(BaseModel):
    id: int
    name: str
    email: str
    organisation: str
    roles: list[str]


@api.get("/me", responses={200: MeOut, 401: Problem}, security=[{"bearer": []}])
def me():
    """Who the token belongs to."""
    actor = http.require_api_actor()
    return MeOut(id=actor.user_id, name=actor.name, email=actor.email, organisation=actor.organisation_code,
                 roles=sorted(actor.roles)).model_dump()


@api.delete("/auth/token", responses={204: None, 401: Problem}, security=[{"bearer": []}])
def revoke_token():
    """Revoke the token this request is sent with (sign out of the API); it is refused from now on."""
    actor = http.require_api_actor()
    session = http.request_session()
    with transaction(session):
        tokens.revoke_api_token(session, tokens.bearer_secret(request.headers.get("Authorization", "")))
        audit.record(session, actor=actor, action="auth.token_revoke", object_type="user", object_id=actor.user_id,
                     now=clock.now(), ip=http.client_ip())
    return "", 204
