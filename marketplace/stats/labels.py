"""Swedish labels for outcome codes (API.md's list), shared by follow-up and statistics pages.

Plain strings marked with N_ so the catalogue extractor finds them; templates translate them
with _() at render time, so this module needs no Flask.
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802  (gettext's conventional no-op marker)
    """Mark a Swedish msgid for extraction without translating it here."""
    return text


OUTCOME_LABELS = {
    "work": N_("Arbete"),
    "studies": N_("Studier"),
    "own_support": N_("Egen försörjning"),
    "jobbtorg": N_("Jobbtorg"),
    "social_insurance": N_("Försäkringskassan"),
    "pension": N_("Pension"),
    "other_programme": N_("Annan insats"),
    "interrupted": N_("Avbrott"),
    "other": N_("Annat"),
}
OUTCOME_ORDER = tuple(OUTCOME_LABELS)


def outcome_label(code: str | None) -> str:
    """The Swedish label (a msgid); pages pass it through _()."""
    if not code:
        return ""
    return OUTCOME_LABELS.get(code, code)
