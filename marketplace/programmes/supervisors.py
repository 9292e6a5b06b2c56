"""Pages: a programme's supervisors (arbetsledare), assigned and removed by its keepers.

Thin adapters over marketplace.auth.supervision; policy.can_assign_supervisors decides.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from catalog.models import Programme
from marketplace.auth import policy, supervision
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import Invalid, NotFound
from marketplace.programmes import service

bp = Blueprint("supervisors", __name__)


class AssignForm(FlaskForm):
    user_id = SelectField(_l("Arbetsledare"), coerce=int, validate_choice=False,
                          validators=[DataRequired(_l("Välj en arbetsledare."))])


class RemoveForm(FlaskForm):
    """Removing an assignment (CSRF only)."""


def _programme(programme_id: int) -> Programme:
    """The programme if the actor sees it (else 404) and may assign its supervisors (else 403)."""
    actor = http.current_actor()
    programme = service.get_visible_programme(http.request_session(), actor, programme_id) or abort(404)
    if not policy.can_assign_supervisors(actor, programme.organisation_id):
        abort(403)
    return programme


def _page(programme: Programme, form: AssignForm, status: int = 200):
    session = http.request_session()
    candidates = supervision.candidates(session, programme)
    form.user_id.choices = [SelectChoice(0, _("Välj arbetsledare"))] + [
        SelectChoice(user.id, f"{user.name} ({user.email})") for user in candidates]
    return render_template("marketplace/programmes/supervisors.html", programme=programme, form=form,
                           assigned=supervision.supervisors_of(session, programme.id), candidates=candidates,
                           remove_form=RemoveForm()), status


@bp.get("/vara-insatser/<int:programme_id>/arbetsledare")
@login_required
def index(programme_id: int):
    return _page(_programme(programme_id), AssignForm(formdata=None))


@bp.post("/vara-insatser/<int:programme_id>/arbetsledare")
@login_required
def assign(programme_id: int):
    programme = _programme(programme_id)
    form = AssignForm()
    if not form.validate_on_submit() or not form.user_id.data:
        if not form.user_id.errors:
            form.user_id.errors = [_("Välj en arbetsledare.")]
        return _page(programme, form, 422)
    session = http.request_session()
    try:
        with transaction(session, write_lock=True):
            _row, created = supervision.assign(session, programme, form.user_id.data, actor=http.current_actor(),
                                               now=clock.now(), ip=http.client_ip())
    except (Invalid, NotFound):
        form.user_id.errors = [_("Välj en aktiv arbetsledare i er organisation.")]
        return _page(programme, form, 422)
    except IntegrityError:  # assigned at the same moment by someone else: it is done
        created = False
    flash(_("Arbetsledaren är tillagd på insatsen.") if created else _("Arbetsledaren var redan tillagd."), "success")
    return redirect(url_for(".index", programme_id=programme.id))


@bp.post("/vara-insatser/<int:programme_id>/arbetsledare/<int:user_id>/ta-bort")
@login_required
def remove(programme_id: int, user_id: int):
    programme = _programme(programme_id)
    if not RemoveForm().validate_on_submit():
        abort(400)
    session = http.request_session()
    try:
        with transaction(session, write_lock=True):
            supervision.unassign(session, programme, user_id, actor=http.current_actor(), now=clock.now(),
                                 ip=http.client_ip())
    except NotFound:
        abort(404)
    flash(_("Arbetsledaren är borttagen från insatsen."), "success")
    return redirect(url_for(".index", programme_id=programme.id))
