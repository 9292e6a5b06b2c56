"""The notification settings form: one choice per kind (CSRF on every form)."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from marketplace.i18n import N_
from marketplace.notifications import preferences

CHOICE_LABELS = {
    preferences.IMMEDIATELY: N_("Direkt"),
    preferences.DAILY: N_("En gång om dagen (kl. 07.00)"),
    preferences.NEVER: N_("Aldrig"),
}
_REQUIRED = [InputRequired(_l("Välj hur du vill få e-post om det här."))]


def _choice(label) -> RadioField:
    return RadioField(label, choices=[], validators=_REQUIRED)


class SettingsForm(FlaskForm):
    """Field names are the kinds of notifications/preferences.py, in its order."""

    request = _choice(_l("Nya förfrågningar och förlängningar"))
    decision = _choice(_l("Beslut: godkänd, avslagen, avbokad, utgången eller avslutad placering, avslutsrapport"))
    message = _choice(_l("Nya meddelanden och dokument"))
    meeting = _choice(_l("Möten som bokas eller ställs in"))
    followup_due = _choice(_l("Försenade uppföljningar"))
    waitlist_offer = _choice(_l("Lediga platser från väntelistan"))
    dispute = _choice(_l("Tvister om fakturering: bestridd, besvarad eller krediterad"))

    def __init__(self, *args, current: dict[str, str] | None = None, **kwargs):
        if current is not None:
            kwargs.update(current)
        super().__init__(*args, **kwargs)
        choices = [(value, gettext(label)) for value, label in CHOICE_LABELS.items()]
        for kind in preferences.KINDS:
            self[kind].choices = choices

    def chosen(self) -> dict[str, str]:
        return {kind: self[kind].data for kind in preferences.KINDS}
