"""Every mail the service sends, as fixed Swedish text around the booking ref.

Mail leaves the city's systems: it carries no participant data and no free text (a
rejection reason, a programme or organisation name, a note), only a kind and a booking ref,
and the reader signs in to see the rest. A template takes nothing but the ref, and the ref
must look like one (B-2026-000123), so no caller can put typed text into a mail. A billing
dispute's mail also names the month, the dispute's number and the credit: each checked for
its shape (YYYY-MM, a positive int, whole öre), never the reason or note people typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

SIGN_IN = "Logga in på Insatstorget för att se placeringen."
_REF = re.compile(r"B-\d{4}-\d{6,}")
_PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")

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

# Mails about a disputed charge (to both sides' district finance and coordinators): the subject
# names the booking ref and a month only (it is also the digest's line), the first line adds
# the dispute's number and, where there is one, the credit in kronor.
DISPUTE_TEMPLATES: dict[str, tuple[str, str]] = {
    "dispute_raised": ("Bestridd fakturering: {ref} {period}",
                       "Faktureringen av {ref} för {period} är bestridd (tvist nr {number})."),
    "dispute_accepted": ("Tvist godkänd: {ref} {period}",
                         "Tvist nr {number} om {ref} för {period} är godkänd utan kreditering."),
    "dispute_credit_agreed": ("Tvist godkänd med kreditering: {ref} {period}",
                              "Tvist nr {number} om {ref} för {period} är godkänd med en kreditering på {amount} kr "
                              "i nästa månad som stängs."),
    "dispute_rejected": ("Tvist avslagen: {ref} {period}", "Tvist nr {number} om {ref} för {period} är avslagen."),
    "dispute_credited": ("Kreditering med i {period}: {ref}",
                         "Krediteringen på {amount} kr för tvist nr {number} om {ref} är med i {period}."),
}
DISPUTE_SIGN_IN = "Logga in på Insatstorget och öppna Tvister under Fakturering för att se tvisten."


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


def _kronor(ore: int) -> str:
    """'4500,00' from whole öre (the notes' and the CSV's way of writing an amount)."""
    kronor, rest = divmod(ore, 100)
    return f"{kronor},{rest:02d}"


def dispute_mail(kind: str, *, ref: str, period: str, number: int, credit_ore: int = 0) -> Mail:
    """The mail of `kind` about dispute nr `number` of booking `ref` in `period` (for
    dispute_credited: the month the credit is in); raises ValueError for anything else but
    a booking ref, a YYYY-MM month, a positive int and whole öre not below zero."""
    _check_ref(ref)
    if not _PERIOD.fullmatch(period or ""):
        raise ValueError("a dispute mail names its month as YYYY-MM and nothing else")
    for value in (number, credit_ore):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("a dispute mail's number and credit are whole numbers")
    if number < 1:
        raise ValueError("a dispute mail names the dispute by its number")
    subject, first_line = DISPUTE_TEMPLATES[kind]
    values = {"ref": ref, "period": period, "number": number, "amount": _kronor(credit_ore)}
    return Mail(subject.format(**values), f"{first_line.format(**values)}\n\n{DISPUTE_SIGN_IN}\n",
                kind=kind, ref=f"{ref} {period}")


def _digest_line(kind: str, ref: str) -> str:
    """A held-back mail's subject again, from its kind and ref (for a dispute: 'B-… YYYY-MM')."""
    if kind in DISPUTE_TEMPLATES:
        booking_ref, _, period = ref.partition(" ")
        _check_ref(booking_ref)
        if not _PERIOD.fullmatch(period):
            raise ValueError("a dispute's digest line names its month as YYYY-MM")
        return DISPUTE_TEMPLATES[kind][0].format(ref=booking_ref, period=period)
    _check_ref(ref)
    return TEMPLATES[kind][0].format(ref=ref)


def digest_mail(day: date, items: list[tuple[str, str]]) -> Mail:
    """One day's digest: a line per held-back mail, its template's subject (kind and ref only)."""
    lines = [f"- {_digest_line(kind, ref)}" for kind, ref in items]
    body = "\n".join([DIGEST_INTRO, "", *lines, "", DIGEST_SIGN_IN, "", DIGEST_SETTINGS, ""])
    return Mail(DIGEST_SUBJECT.format(day=day.isoformat()), body)


def programme_mail(kind: str, programme_id: int) -> Mail:
    """The mail of `kind` about programme number `programme_id` (an int, never its typed name)."""
    if not isinstance(programme_id, int) or isinstance(programme_id, bool) or programme_id < 1:
        raise ValueError("a programme mail names the programme by its number and nothing else")
    subject, first_line = PROGRAMME_TEMPLATES[kind]
    return Mail(subject.format(number=programme_id), f"{first_line.format(number=programme_id)}\n\n{PROGRAMME_SIGN_IN}\n")
