"""Meeting and summary forms (flask-wtf; CSRF on every form). Swedish labels and messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from marketplace.i18n import N_
from marketplace.kernel.forms import TextForm

KIND_LABELS = {"start": N_("Startmöte (trepartssamtal)"), "follow_up": N_("Uppföljningsmöte"), "end": N_("Avslutningsmöte")}
_TIME = _l("Ange datum och tid.")


class MeetingForm(TextForm):
    kind = SelectField(_l("Typ av möte"), choices=[], validators=[DataRequired(_l("Välj typ av möte."))])
    starts_at = DateTimeLocalField(_l("Börjar"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_TIME)])
    ends_at = DateTimeLocalField(_l("Slutar"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_TIME)])
    location = StringField(_l("Plats"), validators=[Optional(), Length(max=300)])
    note = TextAreaField(_l("Anteckning"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from flask_babel import gettext

        self.kind.choices = [SelectChoice(value, gettext(label)) for value, label in KIND_LABELS.items()]


class SummaryForm(TextForm):
    attendance = TextAreaField(_l("Närvaro"), validators=[DataRequired(_l("Fyll i fältet.")), Length(max=5000)])
    achieved = TextAreaField(_l("Vad som uppnåtts"), validators=[DataRequired(_l("Fyll i fältet.")), Length(max=5000)])
    recommendation = TextAreaField(_l("Rekommendation"), validators=[Optional(), Length(max=5000)])
    next_step = TextAreaField(_l("Nästa steg"), validators=[Optional(), Length(max=5000)])
