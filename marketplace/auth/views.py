"""Pages: sign in, sign out, change password, language choice, and admin's user pages."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, session as cookie_session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice
from sqlalchemy import select

from catalog.models import Organisation
from marketplace import audit, i18n
from marketplace.kernel import clock, http
from marketplace.auth import accounts, oidc_views, policy, totp
from marketplace.auth.forms import ChangePasswordForm, ConfirmForm, LoginForm, UserCreateForm
from marketplace.auth.models import Role, User
from marketplace.auth.signin import sign_in, sign_out
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from marketplace.i18n import LOCALES, N_

bp = Blueprint("auth", __name__)

ROLE_LABELS = {
    Role.STAFF.value: N_("Handläggare"),
    Role.COORDINATOR.value: N_("Samordnare"),
    Role.FINANCE.value: N_("Ekonom"),
    Role.DISTRICT_FINANCE.value: N_("Ekonom i förvaltning"),
    Role.SUPERVISOR.value: N_("Arbetsledare"),
    Role.MANAGER.value: N_("Enhetschef"),
    Role.ADMIN.value: N_("Administratör"),
}


@bp.route("/logga-in", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if not http.settings().password_login:
        # Local passwords are off: the page offers only the city's sign-in.
        return render_template("marketplace/auth/login.html", form=form), 403 if request.method == "POST" else 200
    if form.validate_on_submit():
        session, settings = http.request_session(), http.settings()
        try:
            user = accounts.authenticate(
                session,
                email=form.email.data,
                password=form.password.data,
                ip=http.client_ip(),
                now=clock.now(),
                max_failures=settings.login_max_failures,
                window=timedelta(minutes=settings.login_window_minutes),
            )
        except accounts.Throttled:
            form.form_errors.append(_("För många misslyckade inloggningar. Vänta tio minuter och försök igen."))
            return render_template("marketplace/auth/login.html", form=form), 429
        if user is None:
            form.form_errors.append(_("Fel e-postadress eller lösenord."))
            status = 401
        else:
            # Admin and finance (and anyone enrolled) finish at the second-factor page.
            needs_totp = totp.must_verify(user)
            chosen_locale = cookie_session.get("locale")
            sign_in(user, second_factor_done=not needs_totp)
            i18n.carry_locale_over_sign_in(user, chosen_locale)
            return redirect(http.safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    return render_template("marketplace/auth/login.html", form=form), status


@bp.post("/logga-ut")
@login_required
def logout():
    chosen_locale = cookie_session.get("locale")
    was_sso = bool(cookie_session.get(oidc_views.SSO_MARK))
    sign_out(current_user.get_id())
    if chosen_locale in LOCALES:
        cookie_session["locale"] = chosen_locale  # the language outlives the sign-out
    flash(_("Du är utloggad."), "success")
    # Signed in through the city's provider: end that session too, when the provider offers it.
    return oidc_views.end_session_redirect(was_sso) or redirect(url_for("auth.login"))


@bp.route("/konto/losenord", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        session = http.request_session()
        try:
            with transaction(session):
                user = session.get(User, current_user.user.id)
                accounts.change_password(session, user, current=form.current_password.data, new=form.new_password.data,
                                         now=clock.now(), keep_session=current_user.get_id())
                _audit_user(session, "user.change_password", user)
        except DomainError as error:
            getattr(form, error.field or "new_password").errors.append(_(error.message))
        else:
            flash(_("Lösenordet är ändrat. Du är utloggad på alla andra enheter och dina API-nycklar är återkallade."), "success")
            return redirect(url_for("home.index"))
    return render_template("marketplace/auth/password.html", form=form), 422 if form.errors else 200


@bp.post("/sprak/<code>")
def set_language(code: str):
    if code not in LOCALES:
        abort(404)
    ConfirmForm().validate_on_submit() or abort(400)
    cookie_session["locale"] = code
    if current_user.is_authenticated:
        session = http.request_session()
        with transaction(session):
            session.get(User, current_user.user.id).locale = code
    return redirect(http.safe_next(request.form.get("next")))


# --- admin: users ---------------------------------------------------------------------------


def _audit_user(session, action: str, user: User, **details) -> None:
    audit.record(session, actor=http.current_actor(), action=action, object_type="user", object_id=user.id,
                 now=clock.now(), ip=http.client_ip(), details=details)


def _require_user_admin():
    actor = http.current_actor()
    if actor is None or not policy.can_manage_users(actor):
        abort(403)
    return actor


@bp.get("/admin/anvandare")
@login_required
def users():
    _require_user_admin()
    page = http.page_args(default_per_page=50)
    items, total = accounts.list_users(http.request_session(), query=request.args.get("q", ""), offset=page.offset, limit=page.per_page)
    organisations = {o.id: o for o in http.request_session().execute(select(Organisation)).scalars()}
    return render_template(
        "marketplace/auth/users.html", users=items, total=total, page=page, organisations=organisations,
        role_labels=ROLE_LABELS, form=ConfirmForm(), q=request.args.get("q", ""),
    )


def _organisation_choices():
    rows = http.request_session().execute(select(Organisation).order_by(Organisation.name)).scalars()
    return [SelectChoice(o.code, o.name) for o in rows]


@bp.route("/admin/anvandare/ny", methods=["GET", "POST"])
@login_required
def create_user():
    _require_user_admin()
    form = UserCreateForm()
    form.organisation.choices = _organisation_choices()
    form.roles.choices = [SelectChoice(value, _(label)) for value, label in ROLE_LABELS.items()]
    if form.validate_on_submit():
        session = http.request_session()
        try:
            with transaction(session):
                user = accounts.create_user(
                    session, email=form.email.data, password=form.password.data, name=form.name.data,
                    organisation_code=form.organisation.data, roles=form.roles.data, now=clock.now(),
                )
                _audit_user(session, "user.create", user, roles=sorted(user.role_set))
        except DomainError as error:
            field = {"organisation": "organisation", "roles": "roles", "password": "password", "email": "email", "name": "name"}.get(error.field or "", "email")
            getattr(form, field).errors.append(_(error.message))
        else:
            flash(_("Användaren %(name)s är skapad.", name=user.name), "success")
            return redirect(url_for("auth.users"))
    return render_template("marketplace/auth/user_form.html", form=form), 422 if form.errors else 200


@bp.post("/admin/anvandare/<int:user_id>/inaktivera")
@login_required
def deactivate_user(user_id: int):
    actor = _require_user_admin()
    ConfirmForm().validate_on_submit() or abort(400)
    session = http.request_session()
    with transaction(session):
        user = session.get(User, user_id) or abort(404)
        if user.id == actor.user_id:
            flash(_("Du kan inte inaktivera dig själv."), "error")
            return redirect(url_for("auth.users"))
        accounts.deactivate_user(session, user)
        _audit_user(session, "user.deactivate", user)
    flash(_("%(name)s är inaktiverad och utloggad.", name=user.name), "success")
    return redirect(url_for("auth.users"))


@bp.post("/admin/anvandare/<int:user_id>/aktivera")
@login_required
def reactivate_user(user_id: int):
    _require_user_admin()
    ConfirmForm().validate_on_submit() or abort(400)
    session = http.request_session()
    with transaction(session):
        user = session.get(User, user_id) or abort(404)
        accounts.reactivate_user(session, user)
        _audit_user(session, "user.reactivate", user)
    flash(_("%(name)s är aktiverad.", name=user.name), "success")
    return redirect(url_for("auth.users"))
