"""The programme page's change log in words: what was done and which facts changed, as the
form names them (the log stores the model's field names)."""

from __future__ import annotations

from catalog.models import ProgrammeChange
from marketplace.i18n import Msgid, N_

ACTIONS: dict[str, Msgid] = {
    "create": N_("Skapad"),
    "update": N_("Ändrad"),
    "publish": N_("Publicerad"),
    "pause": N_("Pausad"),
    "archive": N_("Arkiverad"),
    "draft": N_("Utkast"),
    "confirm": N_("Bekräftad aktuell"),
}

FIELDS: dict[str, Msgid] = {
    "code": N_("kod"),
    "organisation_id": N_("organisation"),
    "name": N_("namn"),
    "description": N_("beskrivning"),
    "category_code": N_("kategori"),
    "target_groups": N_("målgrupper"),
    "eligibility": N_("vem insatsen passar"),
    "location": N_("plats"),
    "schedule": N_("tider"),
    "capacity": N_("antal platser"),
    "reserved_places": N_("reserverade platser"),
    "price_ore": N_("pris"),
    "price_unit": N_("prisenhet"),
    "min_weeks": N_("kortaste tid"),
    "max_weeks": N_("längsta tid"),
    "accessible": N_("tillgänglighet"),
    "language_support": N_("språkstöd"),
    "contact_name": N_("kontaktperson"),
    "contact_email": N_("kontaktpersonens e-post"),
    "contact_phone": N_("kontaktpersonens telefon"),
    "status": N_("status"),
    "confirmed_at": N_("bekräftad aktuell"),
    "valid_from": N_("giltig från"),
    "valid_to": N_("giltig till"),
    "funding": N_("finansiering"),
    "min_age": N_("lägsta ålder"),
    "max_age": N_("högsta ålder"),
    "requirements": N_("krav på deltagaren"),
    "activity_code": N_("verksamhetskod"),
}
OTHER_FIELD = N_("övriga uppgifter")


def describe(change: ProgrammeChange) -> tuple[Msgid, list[Msgid]]:
    """(what was done, the facts an edit changed) for one change log entry, every part a msgid.
    A creation or a status change names no fields (the action says it all); a field without a
    label counts as 'other details' rather than being shown by its internal name."""
    action = ACTIONS.get(change.action, ACTIONS["update"])
    if change.action != "update":
        return action, []
    order = list(FIELDS)
    names = sorted(change.changes or {}, key=lambda name: order.index(name) if name in FIELDS else len(order))
    return action, list(dict.fromkeys(FIELDS.get(name, OTHER_FIELD) for name in names))
