"""Pages: "Logga in med stadens konto" (to the provider and back) — see marketplace/auth/oidc.py."""

from __future__ import annotations

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from flask import Blueprint, abort, current_app, redirect, render_template, request, session as cookie_session, url_for
from flask_babel import gettext as _
from joserfc.errors import JoseError

from marketplace import audit, i18n
from marketplace.auth import oidc, totp
from marketplace.auth.accounts import actor_for_user
from marketplace.auth.signin import sign_in
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError

bp = Blueprint("sso", __name__)
_log = logging.getLogger(__name__)
SSO_MARK = "sso"  # in the session cookie: signed in through the provider (sign-out goes there too)
NEXT_KEY = "sso_next"


def _client():
    found = oidc.client_for(current_app)
    if found is None:
        abort(404)
    return found


def _refused(message: str, status: int = 403):
    return render_template("marketplace/auth/sso_refused.html", message=message), status


@bp.get("/logga-in/stadens-konto")
def start():
    client, _map = _client()
    cookie_session[NEXT_KEY] = http.safe_next(request.args.get("next"))
    try:
        # Authlib adds state, nonce and the PKCE verifier, and keeps them in the session cookie.
        return client.authorize_redirect(url_for("sso.callback", _external=True))
    except (AuthlibBaseError, requests.RequestException) as error:
        _log.warning("OpenID provider unreachable: %s", error.__class__.__name__)
        return _refused(_("Stadens inloggning svarar inte just nu. Försök igen om en stund."), 503)


@bp.get("/logga-in/stadens-konto/klar")
def callback():
    client, claim_map = _client()
    settings, session = http.settings(), http.request_session()
    chosen_locale = cookie_session.get("locale")
    next_url = cookie_session.pop(NEXT_KEY, None)
    try:
        token = client.authorize_access_token()  # code exchange + ID-token validation (Authlib)
    except (AuthlibBaseError, JoseError, requests.RequestException, ValueError) as error:
        _log.warning("single sign-on refused: %s", error.__class__.__name__)
        with transaction(session):
            audit.record(session, actor=None, action="auth.sso_sign_in", object_type="user", now=clock.now(),
                         ip=http.client_ip(), outcome="refused", details={"reason": error.__class__.__name__})
        return _refused(_("Inloggningen med stadens konto kunde inte slutföras. Börja om från inloggningssidan."))
    claims = dict(token.get("userinfo") or {})
    if not claims:
        return _refused(_("Inloggningen med stadens konto kunde inte slutföras. Börja om från inloggningssidan."))
    mfa = oidc.provider_did_mfa(claims, settings)
    try:
        with transaction(session, write_lock=True):
            user = oidc.match_user(session, claims, settings, claim_map, now=clock.now())
            audit.record(session, actor=actor_for_user(session, user), action="auth.sso_sign_in", object_type="user",
                         object_id=user.id, now=clock.now(), ip=http.client_ip(), details={"mfa": mfa})
    except (oidc.SignOnRefused, DomainError) as error:
        reason = getattr(error, "reason", "invalid")
        with transaction(session):
            audit.record(session, actor=None, action="auth.sso_sign_in", object_type="user", now=clock.now(),
                         ip=http.client_ip(), outcome="refused", details={"reason": reason})
        if reason == "unknown_user":
            return _refused(_("Ditt konto i stadens inloggning finns inte i Insatstorget. Be din administratör att "
                              "lägga upp dig med samma e-postadress."))
        if reason == "inactive":
            return _refused(_("Ditt konto i Insatstorget är inaktiverat. Kontakta din administratör."))
        return _refused(_("Ditt konto i stadens inloggning saknar uppgifter som Insatstorget behöver. Kontakta "
                          "din administratör."))
    # The provider's multi-factor counts as the second factor; otherwise admin and finance still do TOTP.
    needs_totp = totp.must_verify(user) and not mfa
    sign_in(user, second_factor_done=not needs_totp)
    cookie_session[SSO_MARK] = True
    i18n.carry_locale_over_sign_in(user, chosen_locale)
    return redirect(http.safe_next(next_url))


def end_session_redirect(was_sso: bool):
    """After a local sign-out: the provider's end-session page when it has one, else None."""
    found = oidc.client_for(current_app)
    if not was_sso or found is None:
        return None
    try:
        target = oidc.end_session_url(found[0], http.settings(), url_for("auth.login", _external=True))
    except (AuthlibBaseError, requests.RequestException):
        return None
    return redirect(target) if target else None
