"""Forms of the booking page's Messages and Documents sections (CSRF on both)."""

from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from marketplace.collaboration.flow import MESSAGE_MAX
from marketplace.collaboration.models import DocumentKind
from marketplace.i18n import N_
from marketplace.kernel.forms import TextForm

KIND_LABELS = {
    DocumentKind.WORK_PLAN.value: N_("Arbetsplan"),
    DocumentKind.ASSIGNMENT.value: N_("Uppdrag"),
    DocumentKind.REPORT.value: N_("Rapport"),
    DocumentKind.OTHER.value: N_("Annat"),
}


class MessageForm(TextForm):
    body = TextAreaField(_l("Meddelande"), validators=[
        DataRequired(_l("Skriv ett meddelande.")),
        Length(max=MESSAGE_MAX, message=_l("Meddelandet får vara högst %(max)d tecken."))])


class DocumentForm(FlaskForm):
    file = FileField(_l("Fil"), validators=[FileRequired(_l("Välj en fil."))])
    kind = SelectField(_l("Sorts dokument"), choices=[], validators=[DataRequired(_l("Välj vilken sorts dokument det är."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice(value, gettext(label)) for value, label in KIND_LABELS.items()]
