"""Pages for the TOTP second factor, and the guard that holds a half-signed-in browser.

After the password step an admin or finance user (or anyone who enrolled) has a session
whose second factor is not done: `require_full_sign_in` (app.before_request) lets that
browser reach only these pages, sign-out and static files until the code is given.
"""

from __future__ import annotations

import segno
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from marketplace import audit
from marketplace.kernel import clock, http
from marketplace.auth import throttle, totp
from marketplace.auth.models import User
from marketplace.auth.signin import mark_second_factor
from marketplace.kernel.db import transaction

bp = Blueprint("second_factor", __name__)

# What a browser waiting for its second factor may still reach.
OPEN_ENDPOINTS = frozenset({
    "static", "second_factor.verify", "second_factor.enrol", "auth.logout", "auth.set_language",
    "auth.login", "home.health", "openapi_document",
})


class CodeForm(FlaskForm):
    code = StringField(
        _l("Engångskod"),
        validators=[DataRequired(_l("Ange den sexsiffriga koden från din autentiseringsapp.")), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )


def require_full_sign_in():
    """before_request: a browser whose second factor is pending reaches only OPEN_ENDPOINTS."""
    if request.path.startswith("/api/") or request.endpoint in OPEN_ENDPOINTS:
        return None
    if not current_user.is_authenticated or current_user.second_factor_done:
        return None
    target = "second_factor.verify" if totp.is_enrolled(current_user.user) else "second_factor.enrol"
    next_path = request.full_path if request.method == "GET" else None
    return redirect(url_for(target, next=next_path.rstrip("?") if next_path else None))


def _code_step(session, user: User, now, check) -> bool | None:
    """Reserve a code attempt, run `check`, settle it: all in the caller's write transaction.

    None when the throttle refuses (the address, or too many wrong codes for the account;
    a stranger's wrong passwords do not hold this step: marketplace/auth/throttle.py).
    """
    reservation = throttle.code_step_refused(session, email=user.email, ip=http.client_ip(), now=now,
                                             limits=throttle.limits(http.settings()))
    if reservation.refused:
        return None
    accepted = check()
    throttle.settle(session, reservation, "ok" if accepted else "failed")
    return accepted


@bp.route("/logga-in/kod", methods=["GET", "POST"])
@login_required
def verify():
    if current_user.second_factor_done:
        return redirect(http.safe_next(request.args.get("next")))
    if not totp.is_enrolled(current_user.user):
        return redirect(url_for(".enrol", next=request.args.get("next")))
    form, status = CodeForm(), 200
    if form.validate_on_submit():
        session, now = http.request_session(), clock.now()
        with transaction(session, write_lock=True):
            user = session.get(User, current_user.user.id)
            accepted = _code_step(session, user, now, lambda: totp.verify(session, user, form.code.data, now=now))
            if accepted:
                mark_second_factor(session, current_user.get_id())
                audit.record(session, actor=current_user.actor, action="auth.second_factor", object_type="user",
                             object_id=user.id, now=now, ip=http.client_ip())
        if accepted is None:
            form.form_errors.append(_("För många misslyckade försök. Vänta tio minuter och försök igen."))
            return render_template("marketplace/auth/second_factor.html", form=form), 429
        if accepted:
            return redirect(http.safe_next(request.args.get("next")))
        form.code.errors.append(_("Koden stämmer inte eller har redan använts. Vänta på nästa kod och försök igen."))
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("marketplace/auth/second_factor.html", form=form), status


@bp.route("/konto/tvafaktor", methods=["GET", "POST"])
@login_required
def enrol():
    session = http.request_session()
    user = session.get(User, current_user.user.id)
    if totp.is_enrolled(user):
        if not current_user.second_factor_done:
            return redirect(url_for(".verify", next=request.args.get("next")))
        return render_template("marketplace/auth/enrol.html", enrolled=True, form=None)
    form, status = CodeForm(), 200
    if form.validate_on_submit():
        now = clock.now()
        with transaction(session, write_lock=True):
            confirmed = _code_step(session, user, now, lambda: totp.confirm_enrolment(session, user, form.code.data, now=now))
            if confirmed:
                mark_second_factor(session, current_user.get_id())
                audit.record(session, actor=current_user.actor, action="user.totp_enrol", object_type="user",
                             object_id=user.id, now=now, ip=http.client_ip())
        if confirmed:
            flash(_("Tvåstegsverifiering är aktiverad. Nästa gång du loggar in anger du en kod från appen."), "success")
            return redirect(http.safe_next(request.args.get("next")))
        if confirmed is None:
            form.form_errors.append(_("För många misslyckade försök. Vänta tio minuter och försök igen."))
            status = 429
        else:
            form.code.errors.append(_("Koden stämmer inte. Kontrollera att telefonens klocka går rätt och försök igen."))
            status = 422
    elif request.method == "POST":
        status = 422
    with transaction(session):
        secret = totp.start_enrolment(session, user)
    uri = totp.provisioning_uri(secret, user.email)
    qr_svg = Markup(segno.make(uri, error="m").svg_inline(scale=4, title=_("QR-kod för autentiseringsappen")))
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return render_template("marketplace/auth/enrol.html", enrolled=False, form=form, secret=grouped, uri=uri,
                           qr_svg=qr_svg, required=totp.must_verify(user)), status
