"""Sign-in and account forms (flask-wtf: CSRF on every form)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class LoginForm(FlaskForm):
    email = EmailField(_l("E-post"), validators=[DataRequired(_l("Ange din e-postadress.")), Length(max=254)])
    password = PasswordField(_l("Lösenord"), validators=[DataRequired(_l("Ange ditt lösenord.")), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Nuvarande lösenord"), validators=[DataRequired(_l("Ange ditt nuvarande lösenord."))])
    new_password = PasswordField(_l("Nytt lösenord"), validators=[DataRequired(_l("Ange ett nytt lösenord.")), Length(max=256)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserCreateForm(FlaskForm):
    name = StringField(_l("Namn"), validators=[DataRequired(_l("Ange namn.")), Length(max=200)])
    email = EmailField(_l("E-post"), validators=[DataRequired(_l("Ange e-postadress.")), Email(_l("Ogiltig e-postadress.")), Length(max=254)])
    organisation = SelectField(_l("Organisation"), validators=[DataRequired(_l("Välj organisation."))])
    roles = MultiCheckboxField(_l("Roller"), validators=[DataRequired(_l("Välj minst en roll."))])
    password = PasswordField(_l("Startlösenord"), validators=[DataRequired(_l("Ange ett startlösenord.")), Length(max=256)])


class ConfirmForm(FlaskForm):
    """An empty form: a POST with a CSRF token, for buttons such as sign-out or deactivate."""

    confirm = BooleanField(validators=[Optional()])
