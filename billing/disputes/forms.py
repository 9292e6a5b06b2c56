"""Page forms: raise a dispute, answer one."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from billing.disputes.service import MAX_TEXT
from marketplace.kernel.forms import TextForm


class RaiseForm(TextForm):
    booking_ref = StringField(_l("Bokning"), validators=[
        DataRequired(_l("Ange bokningens nummer, t.ex. B-2026-000123.")), Length(max=20, message=_l("Högst 20 tecken."))])
    period = StringField(_l("Månad"), validators=[
        DataRequired(_l("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03.")), Length(max=7, message=_l("Ange månaden som ÅÅÅÅ-MM, t.ex. 2026-03."))])
    reason = TextAreaField(_l("Vad är fel?"), validators=[
        DataRequired(_l("Skriv vad som är fel med raden.")), Length(max=MAX_TEXT, message=_l("Högst 2000 tecken."))])


class ResolveForm(TextForm):
    decision = RadioField(_l("Beslut"), choices=[SelectChoice("accepted", _l("Godkänn")),
                                                 SelectChoice("rejected", _l("Avslå"))],
                          validators=[InputRequired(_l("Välj godkänn eller avslå."))])
    credit = StringField(_l("Kreditering i kronor"), validators=[Optional(), Length(max=30, message=_l("Ange ett belopp, t.ex. 500,00."))])
    note = TextAreaField(_l("Svar till köparen"), validators=[Optional(), Length(max=MAX_TEXT, message=_l("Högst 2000 tecken."))])
