"""Pages: the signed-in user's notifications (all or unread, mark one or all read) and their
mail settings under the account pages, plus the header's unread count. Work without
JavaScript: every action is a form."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from marketplace import audit
from marketplace.auth.forms import ConfirmForm
from marketplace.kernel import clock, http
from marketplace.i18n import format_day
from marketplace.kernel.db import transaction
from marketplace.notifications import inbox, preferences
from marketplace.notifications.forms import SettingsForm

bp = Blueprint("notifications", __name__)
_log = logging.getLogger(__name__)


@bp.app_template_global()
def unread_notifications() -> int:
    """The header's count for the signed-in user (one indexed COUNT); 0 for anyone else."""
    actor = http.current_actor() if current_user and current_user.is_authenticated else None
    if actor is None:
        return 0
    session = http.request_session()
    try:
        return inbox.unread_count(session, actor.user_id)
    except SQLAlchemyError:  # the page (perhaps the 503 page of a locked database) is still shown, without the count
        session.rollback()
        _log.warning("unread notification count unavailable", exc_info=True)
        return 0


def _user_id() -> int:
    return current_user.user.id


@bp.get("/aviseringar")
@login_required
def index():
    unread = request.args.get("visa") == "olasta"
    page = http.page_args()
    session = http.request_session()
    items, total, page = http.fetch_page(
        lambda p: inbox.page_of(session, _user_id(), unread=unread, offset=p.offset, limit=p.per_page), page)
    return render_template("marketplace/notifications/index.html", items=items, total=total, page=page,
                           unread=unread, form=ConfirmForm(),
                           stamp=format_day)


def _back():
    return redirect(http.safe_next(request.form.get("next"), url_for(".index")))


@bp.post("/aviseringar/<int:notification_id>/last")
@login_required
def mark_read(notification_id: int):
    ConfirmForm().validate_on_submit() or abort(400)
    session = http.request_session()
    with transaction(session):
        inbox.mark_read(session, _user_id(), notification_id, now=clock.now())
    flash(_("Aviseringen är markerad som läst."), "success")
    return _back()


@bp.post("/aviseringar/las-alla")
@login_required
def mark_all_read():
    ConfirmForm().validate_on_submit() or abort(400)
    session = http.request_session()
    with transaction(session):
        marked = inbox.mark_all_read(session, _user_id(), now=clock.now())
    flash(_("Alla aviseringar är markerade som lästa.") if marked else _("Du har inga olästa aviseringar."), "success")
    return _back()


@bp.route("/konto/aviseringar", methods=["GET", "POST"])
@login_required
def settings():
    session = http.request_session()
    form = SettingsForm(current=preferences.settings_of(session, _user_id()))
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("marketplace/notifications/settings.html", form=form), 422
        actor = http.current_actor()
        with transaction(session):
            changed = preferences.update(session, actor.user_id, form.chosen(), now=clock.now())
            if changed:
                audit.record(session, actor=actor, action="user.notification_settings", object_type="user",
                             object_id=actor.user_id, now=clock.now(), ip=http.client_ip(), details=changed)
        flash(_("Dina aviseringsinställningar är sparade."), "success")
        return redirect(url_for(".settings"))
    return render_template("marketplace/notifications/settings.html", form=form)
