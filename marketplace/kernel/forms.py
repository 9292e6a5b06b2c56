"""The base of every page form that takes free text (flask-wtf; CSRF on every form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


class TextForm(FlaskForm):
    """Refuses NUL characters in any text field (the database cannot store them)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for f in self:
            if isinstance(f.data, str) and "\x00" in f.data:
                f.errors = [*f.errors, _l("Texten innehåller otillåtna tecken.")]
                valid = False
        return valid
