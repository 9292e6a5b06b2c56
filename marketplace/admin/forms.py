"""Forms of the admin pages (flask-wtf: CSRF on every form)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class ErasureLookupForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    ref = StringField(_l("Bokningsnummer"), validators=[DataRequired(_l("Ange bokningsnumret, till exempel B-2026-000123.")), Length(max=20)])


class ErasureForm(FlaskForm):
    ref = StringField(validators=[DataRequired(), Length(max=20)])
    reason = TextAreaField(
        _l("Skäl och diarienummer"),
        validators=[DataRequired(_l("Ange skälet till gallringen.")), Length(min=5, max=1000, message=_l("Mellan 5 och 1000 tecken."))],
    )


class LogReviewForm(FlaskForm):
    size = IntegerField(_l("Antal i urvalet"), validators=[Optional(), NumberRange(min=1, max=500, message=_l("Mellan 1 och 500."))])
    deviations_found = BooleanField(_l("Granskningen visade avvikelser (obehörig eller omotiverad läsning)"))
    findings = TextAreaField(
        _l("Iakttagelser"),
        validators=[DataRequired(_l("Beskriv vad granskningen visade, till exempel ”Inga avvikelser”.")), Length(max=5000)],
    )
