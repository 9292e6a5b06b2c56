"""Programme forms: Swedish labels and messages; numbers parsed here so errors stay Swedish."""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.fields.choices import SelectChoice

from catalog.rules import ACTIVITY_CODE_PATTERN, MAX_AGE, MAX_CAPACITY, MAX_WEEKS, TEXT_LIMITS, parse_price_ore
from marketplace.auth.forms import MultiCheckboxField

# One reservation per line: "young_adults: 2" (a target group) or "RK: 1" (a buying organisation).
RESERVED_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.-]*)(?:\s*[:=]\s*|\s+)([0-9]{1,5})\s*$")
UNIT_LABELS = {"month": _l("per månad"), "day": _l("per dag"), "placement": _l("per placering")}


def _whole_number(field, low: int, high: int, message) -> int | None:
    text = (field.data or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValidationError(message)
    return int(text)


def _iso_date(field) -> date | None:
    text = (field.data or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_l("Ange datum som ÅÅÅÅ-MM-DD."))


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Ange ett namn.")), Length(max=TEXT_LIMITS["name"], message=_l("Högst %(max)d tecken."))])
    code = StringField(_l("Kod"), validators=[DataRequired(_l("Ange en kod.")), Length(max=TEXT_LIMITS["code"], message=_l("Högst %(max)d tecken."))])
    organisation = SelectField(_l("Organisation"), validators=[DataRequired(_l("Välj organisation."))])
    category = SelectField(_l("Kategori"), validators=[DataRequired(_l("Välj en kategori."))])
    target_groups = MultiCheckboxField(_l("Målgrupper"), validators=[Optional()])
    description = TextAreaField(_l("Beskrivning"), validators=[Length(max=TEXT_LIMITS["description"], message=_l("Högst %(max)d tecken."))])
    eligibility = TextAreaField(_l("Vem insatsen passar (villkor)"), validators=[Length(max=TEXT_LIMITS["eligibility"], message=_l("Högst %(max)d tecken."))])
    location = StringField(_l("Plats (adress)"), validators=[Length(max=TEXT_LIMITS["location"], message=_l("Högst %(max)d tecken."))])
    schedule = StringField(_l("Tider"), validators=[Length(max=TEXT_LIMITS["schedule"], message=_l("Högst %(max)d tecken."))])
    capacity = StringField(_l("Antal platser"), validators=[DataRequired(_l("Ange antal platser."))])
    price = StringField(_l("Pris i kronor"), validators=[DataRequired(_l("Ange ett pris."))])
    price_unit = SelectField(_l("Prisenhet"), choices=[SelectChoice(key, label) for key, label in UNIT_LABELS.items()], validators=[DataRequired(_l("Välj prisenhet."))])
    min_weeks = StringField(_l("Kortaste tid (veckor)"), validators=[Optional()])
    max_weeks = StringField(_l("Längsta tid (veckor)"), validators=[Optional()])
    accessible = BooleanField(_l("Tillgänglig för personer med fysisk funktionsnedsättning"))
    language_support = StringField(_l("Språkstöd"), validators=[Length(max=TEXT_LIMITS["language_support"], message=_l("Högst %(max)d tecken."))])
    contact_name = StringField(_l("Kontaktperson"), validators=[Length(max=TEXT_LIMITS["contact_name"], message=_l("Högst %(max)d tecken."))])
    contact_email = EmailField(_l("Kontaktpersonens e-post"), validators=[Optional(), Email(_l("Ange en giltig e-postadress.")), Length(max=TEXT_LIMITS["contact_email"])])
    contact_phone = StringField(_l("Kontaktpersonens telefon"), validators=[Length(max=TEXT_LIMITS["contact_phone"], message=_l("Högst %(max)d tecken."))])
    min_age = StringField(_l("Lägsta ålder (år)"), validators=[Optional()])
    max_age = StringField(_l("Högsta ålder (år)"), validators=[Optional()])
    requirements = TextAreaField(_l("Krav på deltagaren"), validators=[Length(max=TEXT_LIMITS["requirements"], message=_l("Högst %(max)d tecken."))])
    valid_from = StringField(_l("Giltig från"), validators=[Optional()])
    valid_to = StringField(_l("Giltig till"), validators=[Optional()])
    funding = StringField(_l("Finansiering"), validators=[Length(max=TEXT_LIMITS["funding"], message=_l("Högst %(max)d tecken."))])
    activity_code = StringField(_l("Verksamhetskod"), validators=[
        Optional(), Regexp(ACTIVITY_CODE_PATTERN, message=_l("Verksamhetskoden är 3–10 siffror, till exempel 5700."))])
    reserved = TextAreaField(_l("Reserverade platser"), validators=[Optional(), Length(max=2000)])
    publish = BooleanField(_l("Publicera direkt så att handläggare hittar insatsen"), default=True)

    def validate_capacity(self, field):
        _whole_number(field, 0, MAX_CAPACITY, _l("Antal platser måste vara ett heltal mellan 0 och %(max)s.", max=MAX_CAPACITY))

    def validate_price(self, field):
        try:
            parse_price_ore(field.data or "")
        except ValueError:
            raise ValidationError(_l("Priset måste vara ett belopp i kronor, till exempel 4 500 eller 4 500,50."))

    def validate_min_weeks(self, field):
        _whole_number(field, 1, MAX_WEEKS, _l("Ange ett heltal mellan 1 och %(max)s.", max=MAX_WEEKS))

    def validate_max_weeks(self, field):
        _whole_number(field, 1, MAX_WEEKS, _l("Ange ett heltal mellan 1 och %(max)s.", max=MAX_WEEKS))

    def validate_valid_from(self, field):
        _iso_date(field)

    def validate_valid_to(self, field):
        _iso_date(field)

    def validate_reserved(self, field):
        for number, line in enumerate((field.data or "").splitlines(), start=1):
            if line.strip() and not RESERVED_LINE.match(line):
                raise ValidationError(_l("Rad %(number)s: skriv koden, ett kolon och antalet platser, till exempel "
                                         "young_adults: 2.", number=number))

    def reserved_items(self) -> list[dict]:
        """The reserved-places lines as the API's list: a target group's code or else a buying
        organisation's code, with its places (the catalogue checks codes and the sum)."""
        groups = {getattr(choice, "value", choice) for choice in self.target_groups.choices or []}
        items = []
        for line in (self.reserved.data or "").splitlines():
            match = RESERVED_LINE.match(line)
            if match:
                code, places = match.group(1), int(match.group(2))
                items.append({"target_group" if code in groups else "organisation": code, "places": places})
        return items

    def validate_min_age(self, field):
        _whole_number(field, 0, MAX_AGE, _l("Ange ett heltal mellan 0 och %(max)s.", max=MAX_AGE))

    def validate_max_age(self, field):
        _whole_number(field, 0, MAX_AGE, _l("Ange ett heltal mellan 0 och %(max)s.", max=MAX_AGE))

    def values(self) -> dict:
        """The use case's values (organisation is resolved by the view)."""
        def number(field):
            text = (field.data or "").strip().replace(" ", "").replace("\u00a0", "")
            return int(text) if text else None

        return {
            "code": self.code.data, "name": self.name.data, "description": self.description.data or "",
            "category_code": self.category.data, "target_groups": list(self.target_groups.data or []),
            "eligibility": self.eligibility.data or "", "location": self.location.data or "",
            "schedule": self.schedule.data or "", "capacity": number(self.capacity),
            "price_ore": parse_price_ore(self.price.data), "price_unit": self.price_unit.data,
            "min_weeks": number(self.min_weeks), "max_weeks": number(self.max_weeks),
            "accessible": bool(self.accessible.data), "language_support": self.language_support.data or "",
            "contact_name": self.contact_name.data or "", "contact_email": self.contact_email.data or "",
            "contact_phone": self.contact_phone.data or "",
            "min_age": number(self.min_age), "max_age": number(self.max_age),
            "requirements": self.requirements.data or "", "valid_from": _iso_date(self.valid_from),
            "valid_to": _iso_date(self.valid_to), "funding": self.funding.data or "",
            "activity_code": (self.activity_code.data or "").strip(),
            "reserved": self.reserved_items(),
        }


class StatusForm(FlaskForm):
    target = SelectField(choices=[SelectChoice("published"), SelectChoice("paused"), SelectChoice("archived")],
                         validators=[DataRequired()])


class ConfirmForm(FlaskForm):
    """The one-click confirmation that a listing is current (CSRF only)."""


class ImportForm(FlaskForm):
    file = FileField(_l("CSV-fil"), validators=[
        FileRequired(_l("Välj en CSV-fil.")),
        FileAllowed(["csv", "txt"], _l("Filen måste vara en CSV-fil (semikolonseparerad).")),
    ])
