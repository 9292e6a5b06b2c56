"""Every mail the service sends, as fixed Swedish text around the booking ref.

Mail leaves the city's systems: it carries no participant data and no free text (a
rejection reason, a programme or organisation name, a note), only a kind and a booking ref,
and the reader signs in to see the rest. A template takes nothing but the ref, and the ref
must look like one (B-2026-000123), so no caller can put typed text into a mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

SIGN_IN = "Logga in på Insatstorget för att se placeringen."
_REF = re.compile(r"B-\d{4}-\d{6,}")

# kind: (subject, first line); both formatted with the ref only.
TEMPLATES: dict[str, tuple[str, str]] = {
    "booking_requested": ("Ny förfrågan om plats: {ref}", "Det har kommit en ny förfrågan om plats: {ref}."),
    "booking_approved": ("Godkänd: {ref}", "Förfrågan {ref} är godkänd."),
    "booking_rejected": ("Avslag: {ref}", "Förfrågan {ref} avslogs. Skälet står i Insatstorget."),
    "booking_cancelled": ("Avbokad: {ref}", "{ref} har avbokats av köparen."),
    "booking_ended": ("Avslutad: {ref}", "{ref} är avslutad."),
    "extension_requested": ("Förlängning begärd: {ref}", "En förlängning av {ref} väntar på beslut."),
    "extension_approved": ("Förlängning godkänd: {ref}", "Förlängningen av {ref} är godkänd."),
    "extension_rejected": ("Förlängning avslagen: {ref}", "Förlängningen av {ref} avslogs. Skälet står i Insatstorget."),
    "hold_expired": ("Utgången förfrågan: {ref}", "Förfrågan {ref} gick ut utan beslut."),
    "place_offered": ("Plats ledig: {ref}", "En plats blev ledig: {ref} håller nu platsen."),
    "meeting_planned": ("Möte inbokat: {ref}", "Ett möte om {ref} är inbokat. Inbjudan ligger som bilaga."),
    "meeting_cancelled": ("Möte inställt: {ref}", "Ett möte om {ref} är inställt. Avbokningen ligger som bilaga."),
    "summary_written": ("Avslutsrapport: {ref}", "Anordnaren har skrivit avslutsrapporten för {ref}."),
    "booking_message": ("Nytt meddelande: {ref}", "Det finns ett nytt meddelande om placering {ref}."),
    "booking_document": ("Nytt dokument: {ref}", "Det finns ett nytt dokument om placering {ref}."),
    "followup_overdue": ("Försenad uppföljning: {ref}",
                         "En uppföljning av placering {ref} är försenad. Registrera den under Uppföljningar."),
}


# Mails about a programme (to its coordinators): fixed text around the programme's number only.
PROGRAMME_TEMPLATES: dict[str, tuple[str, str]] = {
    "programme_confirm_reminder": ("Bekräfta insats nr {number}",
                                   "Insats nr {number} har inte bekräftats som aktuell på 180 dagar. "
                                   "Kontrollera uppgifterna och klicka på Bekräfta på insatsens sida."),
}
PROGRAMME_SIGN_IN = "Logga in på Insatstorget och öppna Våra insatser för att se insatsen."


@dataclass(frozen=True)
class Attachment:
    """A file the service builds itself (a meeting's .ics), never one a user typed or uploaded."""

    filename: str
    content_type: str
    text: str


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    attachment: Attachment | None = None
    # The template and booking a booking mail was made from: how notifications.delivery
    # decides immediately, daily or never (None for mail that is always sent at once).
    kind: str | None = None
    ref: str | None = None

    def with_attachment(self, attachment: Attachment) -> "Mail":
        return replace(self, attachment=attachment)


def _check_ref(ref: str) -> None:
    if not _REF.fullmatch(ref or ""):
        raise ValueError("a mail names a booking by its ref and nothing else")


def mail(kind: str, ref: str) -> Mail:
    """The mail of `kind` about booking `ref`; raises ValueError for anything but a booking ref."""
    _check_ref(ref)
    subject, first_line = TEMPLATES[kind]
    return Mail(subject.format(ref=ref), f"{first_line.format(ref=ref)}\n\n{SIGN_IN}\n", kind=kind, ref=ref)


DIGEST_SUBJECT = "Dagens sammanfattning från Insatstorget {day}"
DIGEST_INTRO = "Det här har hänt sedan förra sammanfattningen:"
DIGEST_SIGN_IN = "Logga in på Insatstorget för att se placeringarna."
DIGEST_SETTINGS = "Du får de här aviseringarna en gång om dagen. Ändra det under Aviseringar i Insatstorget."


def digest_mail(day: date, items: list[tuple[str, str]]) -> Mail:
    """One day's digest: a line per held-back mail, its template's subject (kind and ref only)."""
    lines = []
    for kind, ref in items:
        _check_ref(ref)
        lines.append(f"- {TEMPLATES[kind][0].format(ref=ref)}")
    body = "\n".join([DIGEST_INTRO, "", *lines, "", DIGEST_SIGN_IN, "", DIGEST_SETTINGS, ""])
    return Mail(DIGEST_SUBJECT.format(day=day.isoformat()), body)


def programme_mail(kind: str, programme_id: int) -> Mail:
    """The mail of `kind` about programme number `programme_id` (an int, never its typed name)."""
    if not isinstance(programme_id, int) or isinstance(programme_id, bool) or programme_id < 1:
        raise ValueError("a programme mail names the programme by its number and nothing else")
    subject, first_line = PROGRAMME_TEMPLATES[kind]
    return Mail(subject.format(number=programme_id), f"{first_line.format(number=programme_id)}\n\n{PROGRAMME_SIGN_IN}\n")
