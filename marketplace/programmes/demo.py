"""Demo catalogue for `insatstorget seed-demo`: 32 published programmes over every category.

Idempotent by programme code: a second run adds nothing. Prices follow the seeds (about
20 000–85 000 SEK per place and year; most are priced per month). Names and activities
follow DOMAIN.md §3.2; contact people are invented.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Organisation, Programme
from catalog.programmes import create_programme

# code, org, category, name, description, target groups, places, price (kr), unit, accessible,
# location, schedule, min weeks, max weeks, contact, phone, language support
PROGRAMMES = (
    ("RK-MAL-01", "RK", "painting", "Måleriverkstan Kista",
     "Arbetsträning i måleri: spackling, grundmålning och tapetsering i stadsdelens lokaler. Handledare med lång erfarenhet arbetar bredvid deltagarna.",
     ["long_term_unemployed", "young_adults"], 8, 4_500, "month", False, "Kistagången 12, Kista", "Mån–fre 8.00–14.30", 4, 26, "Johan Lindqvist", "08-508 010 21", "Arabiska, somaliska"),
    ("RK-PARK-01", "RK", "outdoor_park", "Parklaget Järva",
     "Parkarbete i Järvaområdet: lövkrattning, plantering, snöskottning och skräpplockning. Utomhus i alla väder, arbetskläder ingår.",
     ["long_term_unemployed", "social_obstacles", "newly_arrived"], 12, 3_800, "month", False, "Järvafältet, samling vid Rinkeby allé 2", "Mån–fre 7.30–14.00", 4, 26, "Fatima Warsame", "08-508 010 35", "Somaliska, arabiska, tigrinja"),
    ("RK-HALSA-01", "RK", "health_activity", "Hälsa i Rinkeby",
     "Hälsoaktiviteter för den som ännu inte orkar arbetsträna: promenader, simhallskort, matlagning och samtal om sömn och stress.",
     ["sick_leave_no_benefit", "women_weak_position", "newly_arrived"], 15, 1_900, "month", True, "Rinkeby Folkets hus", "Tis och tors 10.00–13.00", 8, 52, "Hodan Ali", "08-508 010 48", "Somaliska, arabiska"),
    ("ST-CAFE-01", "ST", "bakery_cafe", "Café Tensta torg",
     "Arbetsträning i café: bakning, servering, kassa och disk. Livsmedelshygien och kundbemötande ingår.",
     ["young_adults", "newly_arrived", "women_weak_position"], 6, 5_200, "month", True, "Tensta torg 8", "Mån–fre 8.00–15.00", 6, 26, "Mehmet Demir", "08-508 030 12", "Arabiska, persiska, kurdiska"),
    ("ST-SPRAK-01", "ST", "language_at_work", "Kommunikativ svenska på jobbet",
     "Svenska för arbetslivet en förmiddag i veckan kombinerat med praktik: samtal på arbetsplatsen, telefon, skyddsregler.",
     ["newly_arrived", "osa"], 20, 1_700, "month", True, "Tensta bibliotek, Tensta centrum", "Ons 9.00–12.00", 8, 40, "Sara Nilsson", "08-508 030 27", "Arabiska, dari, somaliska"),
    ("HV-CYKEL-01", "HV", "bicycle", "Cykelverkstan Vällingby",
     "Reparation och service av cyklar, uthyrning till boende och skolor. Från enkla punkteringar till växlar och bromsar.",
     ["young_adults", "long_term_unemployed", "substance_use"], 7, 4_200, "month", False, "Kirunagatan 4, Vällingby", "Mån–fre 9.00–15.00", 4, 26, "Leila Haddad", "08-508 040 15", ""),
    ("HV-SNICK-01", "HV", "carpentry", "Snickeriet Hässelby",
     "Snickeri med verkstad: enklare möbler, reparationer åt förskolor och odlingslådor. Säkerhetsutbildning för maskinerna ingår.",
     ["long_term_unemployed", "social_obstacles", "osa"], 8, 5_000, "month", False, "Hässelby strand, Maltesholmsvägen 150", "Mån–fre 7.30–14.30", 8, 52, "Leila Haddad", "08-508 040 15", ""),
    ("BR-FLYTT-01", "BR", "moving", "Flyttlaget Bromma",
     "Flyttuppdrag och transporter åt stadens verksamheter: bära, packa, montera och köra möbler. B-körkort är en fördel men inget krav.",
     ["long_term_unemployed", "young_adults"], 10, 4_600, "month", False, "Ulvsundavägen 178, Bromma", "Mån–fre 7.00–15.00", 4, 26, "Anders Wikström", "08-508 060 33", ""),
    ("BR-TRAD-01", "BR", "outdoor_park", "Trädgårdslaget Åkeshov",
     "Trädgård och odling vid Åkeshovs slott: sådd, beskärning och skötsel av rabatter. Lugnt tempo, små grupper.",
     ["mental_illness", "sick_leave_no_benefit"], 6, 3_500, "month", True, "Åkeshovs slottspark", "Mån–tor 9.00–14.00", 8, 52, "Anders Wikström", "08-508 060 33", ""),
    ("KU-KONF-01", "KU", "conference_service", "Konferensservice Kungsholmen",
     "Service på stadens konferenslokaler: möblering, fika, teknik och städning efter möten. Bemötande och planering tränas varje dag.",
     ["young_adults", "youth_mental_health", "women_weak_position"], 6, 4_800, "month", True, "Hantverkargatan 3, Kungsholmen", "Mån–fre 8.00–15.00", 6, 26, "Lena Carlsson", "08-508 080 20", "Engelska"),
    ("KU-DATA-01", "KU", "it_office", "Kontor och data – Stadshagen",
     "Administrativ arbetsträning: skanning, registrering, enklare ekonomiuppgifter och Office. Passar den som vill pröva kontorsarbete.",
     ["young_adults", "women_weak_position", "physical_disability"], 8, 5_500, "month", True, "Stadshagsvägen 7", "Mån–fre 9.00–15.00", 8, 26, "Lena Carlsson", "08-508 080 20", "Engelska, arabiska"),
    ("NM-BOK-01", "NM", "book_care", "Bokvården Norrmalm",
     "Bokvård och bokbinderi åt biblioteken: laga, plasta och binda om böcker. Noggrant och lugnt arbete vid bord.",
     ["mental_illness", "lss_daily_activity", "physical_disability"], 5, 3_900, "month", True, "Stadsbiblioteket, Odengatan 53", "Mån–tor 9.00–15.00", 8, 52, "Ingrid Berglund", "08-508 090 44", ""),
    ("NM-MOT-01", "NM", "motivation", "Kom-i-gång Norrmalm",
     "Lågtröskelinsats för den som länge stått utanför: korta dagar, studiebesök, gruppsamtal och stöd att hitta rutiner.",
     ["long_term_unemployed", "social_obstacles", "substance_use"], 12, 2_200, "month", True, "Torsgatan 4", "Mån, ons, fre 10.00–13.00", 4, 26, "Ingrid Berglund", "08-508 090 44", "Engelska"),
    ("OM-TEXT-01", "OM", "textile", "Textilverkstan Östermalm",
     "Textilverkstad: sömnad, lagning, tryck och återbruk av textilier till stadens verksamheter. Symaskiner och overlock finns.",
     ["women_weak_position", "newly_arrived", "mental_illness"], 8, 4_000, "month", True, "Karlavägen 104", "Mån–fre 9.00–15.00", 6, 52, "Karin Åström", "08-508 100 17", "Persiska, arabiska"),
    ("SO-CYKEL-01", "SO", "bicycle", "Cykelköket Södermalm",
     "Gör-det-själv-verkstad där deltagarna hjälper besökare att laga sina cyklar, och renoverar övergivna cyklar för uthyrning.",
     ["young_adults", "young_substance_use"], 6, 300, "day", False, "Ringvägen 135", "Mån–fre 10.00–16.00", 4, 26, "Karin Berg", "08-508 120 31", ""),
    ("SO-SECOND-01", "SO", "second_hand", "Second hand Skanstull",
     "Butik med skänkta kläder och möbler: sortering, prissättning, skyltning och försäljning. Kassavana tränas.",
     ["long_term_unemployed", "substance_use", "women_weak_position"], 10, 4_300, "month", True, "Götgatan 132", "Mån–fre 9.30–16.00", 4, 52, "Karin Berg", "08-508 120 31", ""),
    ("SO-HALSA-01", "SO", "health_activity", "Rörelse och hälsa Södermalm",
     "Fysisk aktivitet två förmiddagar i veckan med fysioterapeut: gym, promenadgrupp och simning. Kan kombineras med annan insats.",
     ["sick_leave_no_benefit", "mental_illness", "physical_disability"], 14, 1_800, "month", True, "Eriksdalsbadet, Hammarby slussväg 20", "Tis och fre 9.00–11.30", 6, 26, "Olof Hedlund", "08-508 120 45", ""),
    ("EAV-STAD-01", "EAV", "cleaning", "Städlaget Årsta",
     "Städning av stadsdelens lokaler och trapphus: maskiner, kemikalier och rutiner. Städcertifikat kan tas under tiden.",
     ["long_term_unemployed", "newly_arrived"], 10, 4_100, "month", False, "Årsta torg 5", "Mån–fre 7.00–13.00", 4, 26, "Nina Petrović", "08-508 140 12", "Bosniska, arabiska"),
    ("EAV-ATER-01", "EAV", "recycling", "Återvinningen Högdalen",
     "Sortering och demontering av elavfall och möbler för återbruk. Truck- och säkerhetsutbildning ingår.",
     ["long_term_unemployed", "substance_use", "osa"], 12, 4_400, "month", False, "Högdalens industriområde, Rånbyvägen 10", "Mån–fre 7.00–14.00", 8, 52, "Nina Petrović", "08-508 140 12", ""),
    ("SK-STEG-01", "SK", "work_assessment", "Steget – kartläggning av arbetsförmåga",
     "Arbetsträning med observation och kartläggning enligt metoden Steget: fysisk, psykisk och social arbetsförmåga dokumenteras efter åtta veckor.",
     ["sick_leave_no_benefit", "social_obstacles", "mental_illness"], 6, 6_500, "month", True, "Skarpnäcks allé 28", "Mån–fre 9.00–14.00", 8, 12, "Tomas Lind", "08-508 150 27", ""),
    ("SK-MAL-01", "SK", "painting", "Målarlaget Skarpnäck",
     "Utvändig och invändig målning åt stadsdelens förskolor och parklekar. Tydliga uppdrag med början och slut.",
     ["young_adults", "young_substance_use"], 6, 4_500, "month", False, "Skarpnäcksfältet 2", "Mån–fre 8.00–14.30", 4, 26, "Tomas Lind", "08-508 150 27", ""),
    ("FA-FINM-01", "FA", "fine_motor", "Monteringen Farsta",
     "Enkla, meningsfulla finmotoriska uppgifter: packa förbandslådor, montera och etikettera åt stadens enheter. Sittande arbete.",
     ["lss_daily_activity", "mental_illness", "physical_disability"], 12, 2_900, "month", True, "Farsta centrum, Storforsplan 36", "Mån–fre 9.00–14.00", 8, 52, "Eva Lundgren", "08-508 180 14", ""),
    ("FA-SVETS-01", "FA", "welding", "Svets och metall Farsta",
     "Svetsning, slipning och enklare smide: reparera parkbänkar, staket och lekredskap. Skyddsutrustning och introduktion ingår.",
     ["long_term_unemployed", "young_adults"], 5, 6_000, "month", False, "Larsbodavägen 12, Farsta", "Mån–fre 7.00–15.00", 8, 52, "Eva Lundgren", "08-508 180 14", ""),
    ("HA-STAD-01", "HA", "cleaning", "Städ och service Liljeholmen",
     "Städning och service i idrottshallar och fritidsgårdar, med handledare och tydligt schema.",
     ["social_obstacles", "osa"], 8, 3_900, "month", True, "Liljeholmstorget 7", "Mån–fre 8.00–14.00", 4, 26, "Viktor Sandberg", "08-508 200 26", ""),
    ("HA-ALV-01", "HA", "moving", "Transportgruppen Älvsjö",
     "Budkörning och transporter mellan stadens verksamheter i södra Stockholm. Lastning, ruttplanering och kundkontakt.",
     ["long_term_unemployed", "young_adults"], 6, 4_700, "month", False, "Älvsjö gårdsväg 8", "Mån–fre 7.30–15.30", 4, 26, "Viktor Sandberg", "08-508 200 26", ""),
    ("SH-SECOND-01", "SH", "second_hand", "Loppis och återbruk Skärholmen",
     "Loppmarknad och återbruksbutik: hämtning, sortering, reparation och försäljning av möbler och husgeråd.",
     ["newly_arrived", "women_weak_position", "long_term_unemployed"], 10, 4_000, "month", True, "Skärholmsvägen 2", "Mån–fre 9.00–15.00", 4, 52, "Amir Rahimi", "08-508 220 19", "Persiska, dari, arabiska"),
    ("SH-JOBB-01", "SH", "motivation", "Jobbcentrum Skärholmen",
     "Jobbsökaraktiviteter och motivation: CV, intervjuträning, studiebesök hos arbetsgivare och stöd inför Jobbtorg.",
     ["long_term_unemployed", "young_adults", "newly_arrived"], 20, 1_700, "month", True, "Skärholmens centrum, Bredholmsgatan 4", "Mån–tor 9.00–12.00", 4, 12, "Amir Rahimi", "08-508 220 19", "Arabiska, persiska, somaliska"),
    ("AMF-KART-01", "AMF", "work_assessment", "Arbetsförmågebedömning – Alfa",
     "Stadsövergripande bedömning av arbetsförmåga för personer 18–64 år: praktiska arbetsprov, samtal och ett skriftligt underlag till handläggaren.",
     ["sick_leave_no_benefit", "long_term_unemployed", "social_obstacles"], 10, 35_000, "placement", True, "Tegeluddsvägen 3, Gärdet", "Mån–fre 9.00–15.00", 6, 10, "Per Ekström", "08-508 355 00", "Tolk bokas vid behov"),
    ("AMF-DATA-01", "AMF", "it_office", "IWork – digital arbetsträning",
     "Arbetsträning i IT-support och digital administration för unga: felsökning, installationer och kundtjänst.",
     ["young_adults", "youth_mental_health"], 10, 6_800, "month", True, "Tegeluddsvägen 3, Gärdet", "Mån–fre 9.00–15.00", 8, 26, "Per Ekström", "08-508 355 00", "Engelska"),
    ("AMF-OSA-01", "AMF", "outdoor_park", "OSA Utemiljö",
     "Offentligt skyddat arbete i stadens utemiljö: skötsel av parker, lekplatser och badplatser med arbetsledare.",
     ["osa", "physical_disability"], 15, 7_000, "month", False, "Hela staden, samling Tegeluddsvägen 3", "Mån–fre 7.00–15.30", 26, 104, "Per Ekström", "08-508 355 00", ""),
    ("SOF-UNGA-01", "SOF", "motivation", "Ung i rörelse",
     "Uppsökande och motiverande insats för unga under 25 i missbruksbehandling: struktur, träning och korta praktikpass.",
     ["young_substance_use", "youth_mental_health"], 8, 320, "day", True, "Swedenborgsgatan 20", "Mån–fre 10.00–14.00", 4, 26, "Sanna Öberg", "08-508 250 40", ""),
    ("KUF-KULT-01", "KUF", "culture_rehab", "Kultur som rehabilitering",
     "Arbetsträning i kulturförvaltningens verksamheter: museer, bibliotek och Kulturhuset. Bild, scenteknik och publikvärd, i små grupper.",
     ["mental_illness", "youth_mental_health", "sick_leave_no_benefit"], 8, 5_800, "month", True, "Kulturhuset Stadsteatern, Sergels torg", "Mån–tor 10.00–15.00", 8, 26, "Elin Sjöberg", "08-508 315 00", "Engelska"),
    ("KUF-BOK-01", "KUF", "book_care", "Bokbinderiet Medborgarplatsen",
     "Bokbinderi och reparation av äldre böcker åt biblioteken, med inslag av pappershantverk och utställningar.",
     ["lss_daily_activity", "physical_disability"], 4, 4_200, "month", True, "Medborgarhuset, Medborgarplatsen 4", "Mån–tor 9.00–14.00", 12, 52, "Elin Sjöberg", "08-508 315 00", ""),
)


def _email(name: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ć": "c"})
    first, last = name.lower().translate(table).split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@demo.stockholm.se"


# Activity codes: OSA is booked under its own code; two programmes were never given one, so
# finance's month page lists them as billed under their organisation's default.
OSA_ACTIVITY_CODE = "5740"
WITHOUT_ACTIVITY_CODE = {"SOF-UNGA-01", "KUF-BOK-01"}


def _activity_code(code: str, organisation_default: str) -> str:
    if code in WITHOUT_ACTIVITY_CODE:
        return ""
    return OSA_ACTIVITY_CODE if "-OSA-" in code else organisation_default


def seed_programmes(session: Session, *, today: date, now: datetime) -> str:
    """Create the demo programmes that are missing (by code), published."""
    organisations = dict(session.execute(select(Organisation.code, Organisation.id)).all())
    defaults = dict(session.execute(select(Organisation.code, Organisation.default_activity_code)).all())
    known = set(session.execute(select(Programme.code)).scalars())
    added = 0
    for (code, org, category, name, description, groups, places, price_kr, unit, accessible, location, schedule,
         min_weeks, max_weeks, contact, phone, languages) in PROGRAMMES:
        if code in known:
            continue
        create_programme(session, {
            "code": code, "organisation_id": organisations[org], "category_code": category, "name": name,
            "description": description, "target_groups": groups, "capacity": places, "price_ore": price_kr * 100,
            "price_unit": unit, "accessible": accessible, "location": location, "schedule": schedule,
            "min_weeks": min_weeks, "max_weeks": max_weeks, "contact_name": contact, "contact_phone": phone,
            "contact_email": _email(contact), "language_support": languages, "status": "published",
            "eligibility": "Insatsen beviljas som arbetsmarknadsinsats av handläggare i stadsdelen. Deltagaren ska ha en planering.",
            "activity_code": _activity_code(code, defaults[org]),
        }, actor_id=None, now=now)
        added += 1
    return f"Demo programmes: {added} added ({len(PROGRAMMES)} in all)"
