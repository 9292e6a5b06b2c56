"""The import page's description of the file: each column as it is named in the file (the file
format, so the names stay as they are) beside what it holds, in words."""

from __future__ import annotations

from dataclasses import dataclass

from catalog import importer
from marketplace.i18n import Msgid, N_

DESCRIPTIONS: dict[str, Msgid] = {
    "code": N_("Insatsens kod, unik i katalogen, t.ex. AMF-MAL-01."),
    "name": N_("Insatsens namn."),
    "organisation": N_("Anordnarens organisationskod, t.ex. AMF. Tom betyder din egen organisation."),
    "category": N_("Kategorins kod (se listan nedan)."),
    "target_groups": N_("Målgruppernas koder, åtskilda med komma eller | (se listan nedan)."),
    "description": N_("Beskrivning av insatsen."),
    "eligibility": N_("Vem insatsen passar och villkor för att delta."),
    "location": N_("Plats eller adress."),
    "schedule": N_("Dagar och tider."),
    "capacity": N_("Antal platser, ett heltal."),
    "reserved": N_("Reserverade platser, åtskilda med komma eller |: målgruppens kod, kolon och antal (young_adults:2), "
                   "eller org:, organisationens kod, kolon och antal (org:RK:1). Tillsammans högst antalet platser. "
                   "Tom betyder inga."),
    "price": N_("Pris i kronor med decimalkomma, t.ex. 4 500,00."),
    "price_unit": N_("Prisenhet: månad, dag eller placering."),
    "min_weeks": N_("Kortaste längd i veckor."),
    "max_weeks": N_("Längsta längd i veckor."),
    "accessible": N_("Tillgänglig vid fysisk funktionsnedsättning: ja eller nej."),
    "language_support": N_("Språkstöd, t.ex. arabiska eller tolk vid behov."),
    "contact_name": N_("Kontaktpersonens namn."),
    "contact_email": N_("Kontaktpersonens e-postadress."),
    "contact_phone": N_("Kontaktpersonens telefonnummer."),
    "min_age": N_("Lägsta ålder för deltagare."),
    "max_age": N_("Högsta ålder för deltagare."),
    "requirements": N_("Krav på deltagaren, t.ex. körkort."),
    "valid_from": N_("Giltig från, datum som ÅÅÅÅ-MM-DD."),
    "valid_to": N_("Giltig till, datum som ÅÅÅÅ-MM-DD."),
    "funding": N_("Finansiering, t.ex. ESF-projekt."),
    "status": N_("publicerad (standard) eller utkast."),
    "activity_code": N_("Verksamhetskod: 3–10 siffror, t.ex. 5700. Tom betyder organisationens standardkod."),
}


@dataclass(frozen=True)
class Column:
    name: str                 # as the file's header names it (English)
    alias: str | None         # the Swedish name the header may use instead
    description: Msgid | None
    required: bool


def columns() -> list[Column]:
    """Every column the import reads, in the template's order."""
    return [Column(name, next((alias for alias in aliases if alias != name), None), DESCRIPTIONS.get(name),
                   name in importer.REQUIRED_COLUMNS)
            for name, aliases in importer.COLUMNS.items()]
