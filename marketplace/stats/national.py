"""The yearly national report: placements of people on financial assistance per programme type
and outcome, in the categories of the national statistics on municipal labour-market
programmes (Socialstyrelsen's collection on ekonomiskt bistånd and kommunala
arbetsmarknadsinsatser). Our categories and outcomes map onto theirs here, in one place.

Who counts: placements that rest on a recorded assistance decision (biståndsbeslut,
Booking.decision_reference), used as the marker of "on financial assistance" until the
booking carries an explicit flag. Which placements: approved, active or ended ones that
ran on at least one day of the year. Not suppressed: the file goes to the authority, so
only finance and admin may download it (policy.can_export_national_report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from catalog.models import Programme
from marketplace.bookings.public import Booking, BookingStatus
from marketplace.stats.queries import USED_STATUSES, person_key
from marketplace.stats.report import Column, Table

MUNICIPALITY_CODE = "0180"  # Stockholm

PROGRAMME_TYPES = {
    "ARBETSTRANING": "Arbetsträning, arbetsprövning och praktik i kommunal verksamhet",
    "KARTLAGGNING": "Kartläggning och bedömning av arbetsförmåga",
    "FORBEREDANDE": "Motiverande och förberedande insatser (inkl. hälsa)",
    "UTBILDNING": "Utbildning och språkinsatser",
    "OVRIGT": "Övriga arbetsmarknadsinsatser",
}
CATEGORY_TO_TYPE = {
    **{code: "ARBETSTRANING" for code in (
        "painting", "outdoor_park", "cleaning", "moving", "carpentry", "textile", "second_hand", "recycling",
        "it_office", "welding", "bicycle", "bakery_cafe", "conference_service", "book_care", "fine_motor",
        "culture_rehab")},
    "work_assessment": "KARTLAGGNING",
    "health_activity": "FORBEREDANDE",
    "motivation": "FORBEREDANDE",
    "language_at_work": "UTBILDNING",
}
OUTCOMES = {
    "ARBETE": "Arbete (med eller utan anställningsstöd)",
    "STUDIER": "Studier",
    "ANNAN_FORSORJNING": "Egen försörjning på annat sätt",
    "ERSATTNING": "Ersättning från Försäkringskassan eller pension",
    "ANNAN_INSATS": "Vidare till annan arbetsmarknadsinsats",
    "AVBROTT": "Avbrott",
    "OVRIGT": "Övrigt eller okänt",
    "PAGAENDE": "Pågående vid årets slut",
}
OUTCOME_TO_NATIONAL = {
    "work": "ARBETE",
    "studies": "STUDIER",
    "own_support": "ANNAN_FORSORJNING",
    "social_insurance": "ERSATTNING",
    "pension": "ERSATTNING",
    "jobbtorg": "ANNAN_INSATS",
    "other_programme": "ANNAN_INSATS",
    "interrupted": "AVBROTT",
    "other": "OVRIGT",
}


@dataclass(frozen=True)
class NationalRow:
    programme_type: str
    outcome: str
    placements: int
    people: int


def national_rows(session: Session, year: int) -> list[NationalRow]:
    """Count placements and people per (category, our outcome) in SQL, then fold into national codes."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    ended_in_year = (Booking.status == BookingStatus.ENDED.value) & (Booking.end_date <= last)
    outcome = case((ended_in_year, func.coalesce(Booking.outcome, "other")), else_="__ongoing")
    query = (select(Programme.category_code, outcome, func.count(), func.count(distinct(person_key())))
             .select_from(Booking).join(Programme, Programme.id == Booking.programme_id)
             .where(Booking.status.in_(USED_STATUSES), Booking.start_date <= last, Booking.end_date >= first,
                    Booking.decision_reference.is_not(None), Booking.decision_reference != "")
             .group_by(Programme.category_code, outcome))
    totals: dict[tuple[str, str], list[int]] = {}
    for category, our_outcome, placements, people in session.execute(query):
        key = (CATEGORY_TO_TYPE.get(category, "OVRIGT"),
               "PAGAENDE" if our_outcome == "__ongoing" else OUTCOME_TO_NATIONAL.get(our_outcome, "OVRIGT"))
        # People are summed across our categories folded into one type: a person in two
        # placements of the same type in one year is then counted twice (noted in the README).
        entry = totals.setdefault(key, [0, 0])
        entry[0] += placements
        entry[1] += people
    order = {code: i for i, code in enumerate(OUTCOMES)}
    return [NationalRow(t, o, p, n) for (t, o), (p, n) in
            sorted(totals.items(), key=lambda item: (list(PROGRAMME_TYPES).index(item[0][0]), order[item[0][1]]))]


def national_table(session: Session, year: int) -> Table:
    table = Table("national", f"Arbetsmarknadsinsatser för personer med ekonomiskt bistånd {year}", [
        Column("year", "ar", "text"), Column("municipality", "kommunkod", "text"),
        Column("programme_type", "insatstyp", "text"), Column("programme_type_label", "insatstyp_text", "text"),
        Column("outcome", "utfall", "text"), Column("outcome_label", "utfall_text", "text"),
        Column("placements", "antal_placeringar"), Column("people", "antal_personer")],
        note="Placeringar med biståndsbeslut som pågått minst en dag under året.")
    table.rows = [[str(year), MUNICIPALITY_CODE, row.programme_type, PROGRAMME_TYPES[row.programme_type], row.outcome,
                   OUTCOMES[row.outcome], row.placements, row.people] for row in national_rows(session, year)]
    return table
