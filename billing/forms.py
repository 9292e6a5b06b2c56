"""Billing forms: accounting codes per organisation, a booking's price correction."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from billing.accounting_codes import ACCOUNT, ACTIVITY_CODE, COST_CENTRE


class AccountingCodesForm(FlaskForm):
    cost_centre = StringField(_l("Ansvar (kostnadsställe)"), validators=[
        DataRequired(_l("Ange ansvar.")), Length(max=20, message=_l("Högst 20 tecken.")),
        Regexp(COST_CENTRE, message=_l("Ansvar är 1–20 bokstäver eller siffror, t.ex. 1100."))])
    cost_account = StringField(_l("Kostnadskonto"), validators=[
        DataRequired(_l("Ange kostnadskonto.")),
        Regexp(ACCOUNT, message=_l("Ett konto är 4–6 siffror, t.ex. 7691."))])
    revenue_account = StringField(_l("Intäktskonto"), validators=[
        DataRequired(_l("Ange intäktskonto.")),
        Regexp(ACCOUNT, message=_l("Ett konto är 4–6 siffror, t.ex. 3691."))])
    default_activity_code = StringField(_l("Verksamhetskod (standard)"), validators=[
        DataRequired(_l("Ange verksamhetskod.")),
        Regexp(ACTIVITY_CODE, message=_l("Verksamhetskoden är 3–10 siffror, t.ex. 5700."))])


class PriceCorrectionForm(FlaskForm):
    price = StringField(_l("Nytt pris i kronor"), validators=[
        DataRequired(_l("Ange det nya priset.")), Length(max=30, message=_l("Ange ett belopp, t.ex. 4 500,00."))])
    reason = TextAreaField(_l("Skäl"), validators=[
        DataRequired(_l("Ange varför priset rättas.")), Length(max=500, message=_l("Högst 500 tecken."))])
