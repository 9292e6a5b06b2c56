"""Unmet demand: searches that find nothing are counted (words and filters, per day, no user),
and the statistics show the most frequent ones and the waitlists per category and month."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import inspect, select

from catalog.search import ProgrammeFilters
from marketplace.stats import queries
from marketplace.stats.models import UnmetSearch
from marketplace.stats.report import build_report
from marketplace.stats.unmet import count_unmet_search, normalise_words
from tests.factories import make_programme
from tests.marketplace.stats import _dataset

NOW = "2026-03-10T10:00:00+01:00"
TODAY = date(2026, 3, 10)


def _stored(db) -> list[tuple]:
    db.rollback()  # a fresh snapshot: the requests wrote through the app's own session
    return [tuple(row) for row in db.execute(
        select(UnmetSearch.day, UnmetSearch.query, UnmetSearch.filters, UnmetSearch.searches).order_by(UnmetSearch.id))]


def test_words_are_normalised_as_search_reads_them_and_capped():
    assert normalise_words("  Café och SNICKERI ") == "cafe snickeri"
    assert normalise_words("Måleri i Malmö") == "måleri malmö"  # å, ä and ö are letters of their own
    assert normalise_words("snickeri snickeri Snickeri") == "snickeri"
    assert normalise_words("och i") == "och i"  # only stop words: kept, as search does
    # Numbers are never stored: a personal identity or phone number typed into the box.
    assert normalise_words("svetsning 19850101-1234 070-1234567") == "svetsning"
    many = "alfa bravo charlie delta echo foxtrot golf hotel india juliett kilo lima"
    assert normalise_words(many) == "alfa bravo charlie delta echo foxtrot golf hotel"  # eight words
    long = normalise_words(" ".join(chr(97 + n) + "x" * 60 for n in range(8)))
    assert [len(word) for word in long.split()] == [40] * 4 and len(long) == 163  # 200 characters, whole words


def test_a_page_search_that_finds_nothing_is_counted_once_per_search_per_day(client, login, db, staff_user, frozen_clock):
    frozen_clock(NOW)
    make_programme(db, name="Måleriverkstan")
    login(staff_user)
    assert client.get("/insatser?q=Drönarpilot&category=painting&accessible=1").status_code == 200
    assert _stored(db) == [(TODAY, "drönarpilot", "accessible=1&category=painting", 1)]
    client.get("/insatser?q=DRÖNARPILOT+och&category=painting&accessible=on&participant_age=34")
    assert _stored(db) == [(TODAY, "drönarpilot", "accessible=1&category=painting", 2)]
    frozen_clock("2026-03-11T09:00:00+01:00")
    login(staff_user)  # a new day, a new sign-in
    client.get("/insatser?q=drönarpilot&category=painting&accessible=1")
    assert [row[0] for row in _stored(db)] == [TODAY, date(2026, 3, 11)]


def test_nothing_is_stored_for_a_search_that_finds_something_or_for_nothing_asked(client, login, db, staff_user, frozen_clock):
    frozen_clock(NOW)
    make_programme(db, name="Måleriverkstan")
    login(staff_user)
    assert "Måleriverkstan" in client.get("/insatser?q=måleri").get_data(as_text=True)
    client.get("/insatser")
    client.get("/insatser?category=painting")
    client.get("/insatser?q=drönare&page=2")  # a later page of the same search is not a new search
    client.get("/insatser?q=drönare&category=no-such-category")  # unknown codes are not demand
    client.get("/insatser?q=drönare&available_from=igår")  # refused with a form error: no search ran
    assert _stored(db) == []


def test_no_user_session_age_or_time_of_day_is_stored(client, login, db, staff_user, frozen_clock):
    frozen_clock(NOW)
    login(staff_user)
    client.get("/insatser?q=svetsare&target_group=young_adults&target_group=long_term_unemployed"
               "&organisation=amf&max_price=5000&participant_age=19&available_from=2026-04-01")
    assert {column.name for column in inspect(UnmetSearch).columns} == {"id", "day", "query", "filters", "searches"}
    ((day, query, filters, searches),) = _stored(db)
    assert (day, query, searches) == (TODAY, "svetsare", 1)
    assert filters == "max_price_ore=500000&organisation=AMF&target_group=long_term_unemployed&target_group=young_adults"
    for value in (str(staff_user.id), staff_user.email, "19", "2026-04-01"):
        assert value not in query and value not in filters.replace("500000", "")


def test_the_api_search_counts_too_on_its_first_page_only(api, db, staff_user, frozen_clock):
    frozen_clock(NOW)
    caller = api(staff_user)
    assert caller.get("/api/v1/programmes?q=kranförare").get_json()["total"] == 0
    assert caller.get("/api/v1/programmes?q=kranförare&page=2").status_code == 200
    assert _stored(db) == [(TODAY, "kranförare", "", 1)]


def test_concurrent_counts_add_up_in_one_row(db, engine):
    from sqlalchemy.orm import Session

    search = ProgrammeFilters(q="Brandman")
    with Session(engine) as first, Session(engine) as second:
        for session in (first, second, first):
            assert count_unmet_search(session, search, today=TODAY)
    assert _stored(db) == [(TODAY, "brandman", "", 3)]


def test_simultaneous_counts_are_never_lost(db, engine):
    """Eight searches at the same moment on eight connections: one row, eight counted (an
    insert-or-update that read first would lose some to the unique constraint)."""
    import threading

    from sqlalchemy.orm import Session

    barrier, results = threading.Barrier(8), []

    def search():
        with Session(engine) as session:
            barrier.wait()
            results.append(count_unmet_search(session, ProgrammeFilters(q="Klättring", accessible=True), today=TODAY))

    threads = [threading.Thread(target=search) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 8
    assert _stored(db) == [(TODAY, "klättring", "accessible=1", 8)]


def _scope():
    return queries.Scope(date(2026, 3, 1), date(2026, 3, 31))


def test_the_statistics_show_searches_counted_five_times_and_not_four(db):
    for _ in range(5):
        count_unmet_search(db, ProgrammeFilters(q="Drönarpilot", category="painting"), today=TODAY)
    for _ in range(4):
        count_unmet_search(db, ProgrammeFilters(q="Kranförare"), today=TODAY)
    for _ in range(7):
        count_unmet_search(db, ProgrammeFilters(q="hovslagare", accessible=True, max_price_ore=250_000), today=TODAY)
    count_unmet_search(db, ProgrammeFilters(q="hovslagare", accessible=True, max_price_ore=250_000), today=date(2026, 4, 1))
    table = build_report(db, _scope(), None).table("unmet")
    assert [row[0] for row in table.rows] == ["hovslagare", "drönarpilot"]
    assert table.rows[0][4:] == ["Ja", 2500, 7] and table.rows[1][1:4] == ["Måleri", "", ""]


def test_the_page_the_api_and_the_csv_show_unmet_searches(client, login, api, db, staff_user):
    for _ in range(6):
        count_unmet_search(db, ProgrammeFilters(q="Drönarpilot", target_groups=("young_adults",)), today=TODAY)
    login(staff_user)
    query = "from=2026-03-01&to=2026-03-31"
    html = client.get(f"/statistik?{query}").get_data(as_text=True)
    section = html[html.index('id="section-unmet"'):]
    assert "drönarpilot" in section[:section.index("</section>")]
    body = api(staff_user).get(f"/api/v1/statistics?{query}").get_json()
    unmet = next(t for t in body["tables"] if t["key"] == "unmet")
    assert unmet["rows"][0]["query"] == "drönarpilot" and unmet["rows"][0]["searches"] == 6
    raw = client.get(f"/statistik/export.csv?{query}&table=unmet").get_data()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Sökord" and rows[1][0] == "drönarpilot" and rows[1][-1] == "6"


def test_waitlists_per_category_and_month_are_suppressed_like_the_statistics(db, staff_user):
    """The data set puts five on Snickeriet's waitlist on 1 March and one on 1 June (carpentry)."""
    _dataset.build(db, staff_user)
    table = build_report(db, queries.Scope(_dataset.FROM, _dataset.TO), None).table("waitlist_category")
    assert [c.key for c in table.columns] == ["category", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "total"]
    # June's one person is hidden; March's five then too, or 6 - 5 would give June away.
    assert table.rows == [["Snickeri", 0, 0, None, 0, 0, None, 6], ["Alla", 0, 0, None, 0, 0, None, 6]]
    march = build_report(db, queries.Scope(date(2026, 3, 1), date(2026, 3, 31)), None).table("waitlist_category")
    assert march.rows == [["Snickeri", 5, 5], ["Alla", 5, 5]]
