"""Forms for recording a follow-up and a week's attendance (flask-wtf: CSRF on every form)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from marketplace.kernel.forms import TextForm

CAPACITY_CHOICES = [
    SelectChoice("", _l("Välj")),
    SelectChoice("1", _l("1 – mycket begränsad")),
    SelectChoice("2", _l("2 – begränsad")),
    SelectChoice("3", _l("3 – delvis")),
    SelectChoice("4", _l("4 – god")),
    SelectChoice("5", _l("5 – full")),
]


def _capacity(label):
    return SelectField(label, choices=CAPACITY_CHOICES, validators=[DataRequired(_l("Välj ett värde 1–5."))])


class FollowUpForm(FlaskForm):
    attendance_share = IntegerField(_l("Närvaro (procent av planerade dagar)"), validators=[
        Optional(), NumberRange(0, 100, _l("Ange en procentsats 0–100."))])
    capacity_physical = _capacity(_l("Fysisk arbetsförmåga"))
    capacity_mental = _capacity(_l("Psykisk arbetsförmåga"))
    capacity_social = _capacity(_l("Social arbetsförmåga"))
    participant_view = TextAreaField(_l("Deltagarens egen uppfattning"), validators=[
        DataRequired(_l("Skriv deltagarens egen uppfattning.")), Length(max=5000)])
    progress_goals = TextAreaField(_l("Utveckling mot målen"), validators=[
        DataRequired(_l("Beskriv utvecklingen mot målen.")), Length(max=5000)])
    progress_sub_goals = TextAreaField(_l("Utveckling mot delmålen"), validators=[Length(max=5000)])
    ready_took_part = BooleanField(_l("Har klarat att delta i insatsen"))
    ready_travels_alone = BooleanField(_l("Klarar att resa till och från insatsen själv"))
    ready_no_active_substance_abuse = BooleanField(_l("Har inget pågående aktivt missbruk"))
    ready_handles_conflicts = BooleanField(_l("Hanterar konflikter och socialt samspel (eller arbetar med det)"))
    ready_motivated = BooleanField(_l("Är tillräckligt motiverad"))
    notes = TextAreaField(_l("Anteckningar"), validators=[Length(max=5000)])


class AttendanceForm(TextForm):
    week_start = DateField(_l("Vecka (välj en dag i veckan)"), validators=[InputRequired(_l("Välj en dag i veckan."))])
    present_days = IntegerField(_l("Närvarande dagar"), default=0, validators=[
        InputRequired(_l("Ange antal dagar.")), NumberRange(0, 7, _l("Ange 0–7 dagar."))])
    absent_notified_days = IntegerField(_l("Frånvaro med anmälan (dagar)"), default=0, validators=[
        InputRequired(_l("Ange antal dagar.")), NumberRange(0, 7, _l("Ange 0–7 dagar."))])
    absent_unnotified_days = IntegerField(_l("Frånvaro utan anmälan (dagar)"), default=0, validators=[
        InputRequired(_l("Ange antal dagar.")), NumberRange(0, 7, _l("Ange 0–7 dagar."))])
    note = TextAreaField(_l("Anteckning till beställaren"), validators=[Optional(), Length(max=1000)])
