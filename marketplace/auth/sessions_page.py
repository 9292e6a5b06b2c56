"""The account's sessions page: where one is signed in, which API tokens are live, and
"sign out everywhere" (every other browser session ends and every token is revoked)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace import audit
from marketplace.kernel import clock, http
from marketplace.auth import accounts, tokens
from marketplace.auth.forms import ConfirmForm
from marketplace.kernel.db import transaction

bp = Blueprint("account_sessions", __name__)


@bp.get("/konto/sessioner")
@login_required
def index():
    session, now, user_id = http.request_session(), clock.now(), current_user.user.id
    rows = tokens.live_sessions(session, user_id, now=now)
    current = current_user.get_id()
    sessions = [(row, tokens.is_session(row, current)) for row in rows]
    return render_template("marketplace/auth/sessions.html", sessions=sessions,
                           api_tokens=tokens.live_api_tokens(session, user_id, now=now), form=ConfirmForm())


@bp.post("/konto/sessioner/logga-ut-overallt")
@login_required
def sign_out_everywhere():
    ConfirmForm().validate_on_submit() or abort(400)
    session, user_id = http.request_session(), current_user.user.id
    with transaction(session):
        accounts.end_all_sessions(session, user_id, keep_session=current_user.get_id())
        audit.record(session, actor=current_user.actor, action="user.sign_out_everywhere", object_type="user",
                     object_id=user_id, now=clock.now(), ip=http.client_ip())
    flash(_("Du är utloggad på alla andra enheter och dina API-nycklar är återkallade."), "success")
    return redirect(url_for(".index"))
