"""Swedish labels for outcome codes (API.md's list), shared by follow-up and statistics pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

OUTCOME_LABELS = {
    "work": _l("Arbete"),
    "studies": _l("Studier"),
    "own_support": _l("Egen försörjning"),
    "jobbtorg": _l("Jobbtorg"),
    "social_insurance": _l("Försäkringskassan"),
    "pension": _l("Pension"),
    "other_programme": _l("Annan insats"),
    "interrupted": _l("Avbrott"),
    "other": _l("Annat"),
}
OUTCOME_ORDER = tuple(OUTCOME_LABELS)


def outcome_label(code: str | None) -> str:
    if not code:
        return ""
    return str(OUTCOME_LABELS.get(code, code))
