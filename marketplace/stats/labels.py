"""Swedish labels for outcome codes (API.md's list), shared by follow-up and statistics pages.

Msgids marked with N_ so the catalogue extractor finds them; templates translate them with
the `label` filter at render time, so this module needs no Flask.
"""

from __future__ import annotations

from marketplace.i18n.msgid import N_, Msgid  # noqa: F401  (re-exported for the statistics modules)


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
    """The Swedish label (a Msgid); an unknown code comes back as plain text, never translated."""
    if not code:
        return ""
    return OUTCOME_LABELS.get(code, code)
