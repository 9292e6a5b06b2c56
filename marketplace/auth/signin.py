"""Flask-Login wiring: the cookie carries a server-side session secret, so signing out
(or deactivating the user) ends the session on the server, not only in the browser."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from flask import session as cookie_session
from flask_login import LoginManager, UserMixin, login_user, logout_user

from marketplace.kernel import clock, http
from marketplace.auth import tokens
from marketplace.auth.accounts import actor_for_user
from marketplace.auth.models import User, UserSession
from marketplace.auth.policy import needs_second_factor
from marketplace.kernel.db import transaction


class SignedIn(UserMixin):
    """The signed-in browser: Flask-Login's user, identified by its session secret."""

    def __init__(self, secret: str, user: User, second_factor_done: bool):
        self.secret = secret
        self.user = user
        self.actor = actor_for_user(http.request_session(), user)
        self.second_factor_done = second_factor_done

    def get_id(self) -> str:
        return self.secret

    @property
    def needs_second_factor(self) -> bool:
        return needs_second_factor(self.user.role_set) and not self.second_factor_done


login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "basic"


@login_manager.user_loader
def _load(secret: str) -> SignedIn | None:
    found = tokens.find_user_session(http.request_session(), secret, now=clock.now())
    if found is None:
        return None
    user_session, user = found
    # A session still waiting for its second factor loads too; require_full_sign_in
    # (app.before_request) keeps it on the second-factor page.
    return SignedIn(secret, user, user_session.second_factor_done)


def sign_in(user: User, *, second_factor_done: bool) -> None:
    session = http.request_session()
    with transaction(session, write_lock=True):
        secret = tokens.open_user_session(
            session, user, now=clock.now(), lifetime=timedelta(hours=http.settings().session_hours)
        )
        if second_factor_done:
            mark_second_factor(session, secret)
    cookie_session.clear()
    login_user(SignedIn(secret, user, second_factor_done))


def mark_second_factor(session, secret: str) -> None:
    row = session.execute(select(UserSession).where(UserSession.session_hash == tokens.digest(secret))).scalar_one()
    row.second_factor_done = True
    session.flush()


def sign_out(secret: str | None) -> None:
    if secret:
        session = http.request_session()
        with transaction(session):
            tokens.close_user_session(session, secret)
    logout_user()
    cookie_session.clear()
