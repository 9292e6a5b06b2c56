"""Booking forms (flask-wtf; CSRF on every form). Swedish labels and messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.fields.choices import SelectChoice

from marketplace.bookings.models import BookingStatus, Outcome
from marketplace.i18n import N_
from marketplace.kernel.forms import TextForm

STATUS_LABELS = {
    BookingStatus.REQUESTED.value: N_("Förfrågan"),
    BookingStatus.WAITLISTED.value: N_("Väntelista"),
    BookingStatus.APPROVED.value: N_("Godkänd"),
    BookingStatus.ACTIVE.value: N_("Pågår"),
    BookingStatus.ENDED.value: N_("Avslutad"),
    BookingStatus.REJECTED.value: N_("Avslagen"),
    BookingStatus.CANCELLED.value: N_("Avbokad"),
    BookingStatus.EXPIRED.value: N_("Utgången"),
}
OUTCOME_LABELS = {
    Outcome.WORK.value: N_("Arbete"),
    Outcome.STUDIES.value: N_("Studier"),
    Outcome.OWN_SUPPORT.value: N_("Egen försörjning"),
    Outcome.JOBBTORG.value: N_("Jobbtorg"),
    Outcome.SOCIAL_INSURANCE.value: N_("Försäkringskassan"),
    Outcome.PENSION.value: N_("Pension"),
    Outcome.OTHER_PROGRAMME.value: N_("Annan insats"),
    Outcome.INTERRUPTED.value: N_("Avbrutet"),
    Outcome.OTHER.value: N_("Annat"),
}
_DATE = _l("Ange ett datum (ÅÅÅÅ-MM-DD).")


class BookingRequestForm(TextForm):
    start_date = DateField(_l("Startdatum"), validators=[InputRequired(_DATE)])
    end_date = DateField(_l("Slutdatum"), validators=[InputRequired(_DATE)])
    participant_reference = StringField(_l("Deltagarens referens (ärendenummer)"),
                                        validators=[DataRequired(_l("Ange deltagarens referens.")), Length(max=100)])
    participant_name = StringField(_l("Deltagarens namn"), validators=[DataRequired(_l("Ange deltagarens namn.")), Length(max=200)])
    participant_contact = StringField(_l("Kontaktuppgifter"), validators=[Optional(), Length(max=300)])
    participant_needs = TextAreaField(_l("Behov och anpassningar"), validators=[Optional(), Length(max=5000)])
    participant_age = StringField(_l("Deltagarens ålder (år)"), validators=[Optional(), Length(max=3)])
    # Choices: "" and the target groups (set by the view, which knows their labels).
    participant_target_group = SelectField(_l("Deltagarens målgrupp"), choices=[], default="", validate_choice=False)
    purpose = TextAreaField(_l("Syfte"), validators=[DataRequired(_l("Ange syftet med insatsen.")), Length(max=5000)])
    goals = TextAreaField(_l("Mål"), validators=[DataRequired(_l("Ange målen.")), Length(max=5000)])
    sub_goals = TextAreaField(_l("Delmål"), validators=[Optional(), Length(max=5000)])
    tasks = TextAreaField(_l("Arbetsuppgifter"), validators=[DataRequired(_l("Ange arbetsuppgifterna.")), Length(max=5000)])
    participant_view = TextAreaField(_l("Deltagarens egen uppfattning"), validators=[Optional(), Length(max=5000)])
    fia_completed = BooleanField(_l("FIA-bedömning är gjord"))
    decision_reference = StringField(_l("Biståndsbeslutets diarienummer"), validators=[Optional(), Length(max=100)])
    decision_date = DateField(_l("Beslutsdatum"), validators=[Optional()])
    waitlist = BooleanField(_l("Ställ förfrågan på väntelistan om det är fullt"))
    idempotency_key = HiddenField()


    def validate_participant_age(self, field):
        if self.age() is None and (field.data or "").strip():
            raise ValidationError(_l("Ange en ålder mellan 0 och 120 år."))

    def age(self) -> int | None:
        text = (self.participant_age.data or "").strip()
        return int(text) if text.isdigit() and int(text) <= 120 else None


class ReasonForm(TextForm):
    reason = TextAreaField(_l("Motivering"), validators=[DataRequired(_l("Skriv en motivering.")), Length(max=2000)])


class EndForm(TextForm):
    end_date = DateField(_l("Sista dag"), validators=[InputRequired(_DATE)])
    outcome = SelectField(_l("Utfall"), choices=[], validators=[DataRequired(_l("Välj ett utfall."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from flask_babel import gettext

        self.outcome.choices = [SelectChoice("", gettext("Välj …"))] + [
            SelectChoice(value, gettext(label)) for value, label in OUTCOME_LABELS.items()]


class ExtensionForm(TextForm):
    end_date = DateField(_l("Nytt slutdatum"), validators=[InputRequired(_DATE)])


class ForwardForm(TextForm):
    """Send a refused request on: another programme or other dates, the same participant and assignment."""

    programme_id = SelectField(_l("Insats"), choices=[], coerce=int, validators=[DataRequired(_l("Välj en insats."))])
    start_date = DateField(_l("Startdatum"), validators=[InputRequired(_DATE)])
    end_date = DateField(_l("Slutdatum"), validators=[InputRequired(_DATE)])
    idempotency_key = HiddenField()


class BulkDecisionForm(TextForm):
    """The inbox's one form: the ticked requests (checkboxes named `booking` in the table) and one decision."""

    decision = RadioField(_l("Beslut för de markerade förfrågningarna"), choices=[
        SelectChoice("approve", _l("Godkänn")), SelectChoice("reject", _l("Avslå"))],
        validators=[InputRequired(_l("Välj godkänn eller avslå."))])
    reason = TextAreaField(_l("Motivering (krävs för avslag)"), validators=[Optional(), Length(max=2000)])
