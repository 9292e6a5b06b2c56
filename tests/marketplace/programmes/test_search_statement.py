"""The catalogue search as one statement: same page, same order and same exact total as a
separate count and page query, for every filter shape, offset and availability form."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import and_, event, select
from sqlalchemy.orm import Session

from catalog.models import Programme
from catalog.search import ProgrammeFilters, conditions, count_query, programme_query
from marketplace.bookings import capacity
from marketplace.bookings import jobs as booking_jobs
from marketplace.kernel import clock
from marketplace.scheduler import JobContext
from marketplace.programmes import service
from tests.factories import make_programme
from tests.marketplace.programmes.test_capacity_and_open_data import _book

NOW = "2026-03-02T09:00:00+00:00"
TODAY = date(2026, 3, 2)
RANGE = (date(2026, 3, 9), date(2026, 3, 22))


@pytest.fixture
def catalogue(db, frozen_clock, staff_user):
    """Sixteen programmes over a few categories and organisations; some full in RANGE, one only by a live hold."""
    frozen_clock(NOW)
    kinds = itertools.cycle([("outdoor_park", "RK"), ("bicycle", "SO"), ("painting", "AMF"), ("outdoor_park", "AMF")])
    programmes = []
    for number, (category, organisation) in zip(range(16), kinds):
        programmes.append(make_programme(
            db, name=f"{'Parklaget' if category == 'outdoor_park' else 'Verkstan'} {chr(65 + (number * 7) % 16)}",
            category=category, organisation=organisation, capacity=0 if number == 5 else 1 + number % 3,
            accessible=number % 2 == 0, price_ore=300_000 + 10_000 * number,
            target_groups=["young_adults", "newly_arrived"] if number % 4 == 1 else ["young_adults"] if number % 3 else ["newly_arrived"]))
    for programme in programmes[:6]:  # full on some day of RANGE (firm bookings)
        for _ in range(programme.capacity):
            _book(db, programme, start=date(2026, 3, 12), end=date(2026, 3, 14), requester_id=staff_user.id)
    held = programmes[7]
    for _ in range(held.capacity):  # full only while the holds last
        booking = _book(db, held, start=date(2026, 3, 1), end=date(2026, 3, 30), requester_id=staff_user.id,
                        status="requested")
        booking.hold_expires_at = datetime(2026, 3, 5, tzinfo=timezone.utc)
        db.add(booking)
        db.commit()
    return programmes


FILTERS = [
    ProgrammeFilters(),
    ProgrammeFilters(q="parklaget"),
    ProgrammeFilters(q="verk"),
    ProgrammeFilters(category="outdoor_park"),
    ProgrammeFilters(target_groups=("young_adults",), accessible=True),
    ProgrammeFilters(organisation="amf", max_price_ore=400_000),
    ProgrammeFilters(accessible=True),
    ProgrammeFilters(q="ingenting"),
]


def _reference(db, filters: ProgrammeFilters, available, *, offset: int, limit: int, now) -> tuple[list[int], int]:
    """The plain way: a count and a page query, each with the availability anti-join."""
    if available:
        filters = ProgrammeFilters(**{**filters.__dict__, "extra": (capacity.availability_condition(*available, now=now),)})
    total = db.execute(count_query(filters)).scalar_one()
    ids = [p.id for p in db.execute(programme_query(filters).offset(offset).limit(limit)).scalars()]
    return ids, total


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr({k: v for k, v in f.__dict__.items() if v}))
@pytest.mark.parametrize("available", [None, RANGE], ids=["any-day", "free-in-range"])
def test_one_statement_gives_the_page_and_the_exact_total_of_a_count_and_page_query(db, catalogue, filters, available):
    now = datetime.fromisoformat(NOW)
    for offset, limit in ((0, 3), (3, 3), (0, 100), (14, 5), (40, 5)):
        with Session(db.get_bind()) as session:
            rows, total = service.search(session, filters, offset=offset, limit=limit, available=available, now=now)
            documents, document_total = service.search_documents(session, filters, offset=offset, limit=limit,
                                                                  available=available, today=TODAY, now=now)
        expected = _reference(db, filters, available, offset=offset, limit=limit, now=now)
        assert ([p.id for p in rows], total) == expected, (offset, limit)
        assert ([d["id"] for d in documents], document_total) == expected, (offset, limit)


def test_the_availability_filter_means_the_same_in_every_form(db, catalogue):
    now = datetime.fromisoformat(NOW)
    answers = {}
    for form in ("set", "shared_set", "probe"):
        condition = capacity.availability_condition(*RANGE, now=now, form=form)
        answers[form] = list(db.execute(select(Programme.id).where(and_(*conditions(ProgrammeFilters()), condition))
                                        .order_by(Programme.id)).scalars())
    full = {p.id for p in catalogue[:6]} | {catalogue[7].id}
    assert answers["set"] == [p.id for p in catalogue if p.id not in full]
    assert answers["shared_set"] == answers["set"] and answers["probe"] == answers["set"]
    later = now + timedelta(days=4)  # the holds have lapsed: the held programme is free again
    condition = capacity.availability_condition(*RANGE, now=later, form="probe")
    assert catalogue[7].id in db.execute(select(Programme.id).where(condition)).scalars().all()


def test_search_documents_read_free_places_and_organisations_in_the_page_statement(db, catalogue):
    now = datetime.fromisoformat(NOW)
    with Session(db.get_bind()) as session:
        documents, _total = service.search_documents(session, ProgrammeFilters(), offset=0, limit=100, today=TODAY, now=now)
        programmes = session.execute(select(Programme).where(Programme.id.in_([d["id"] for d in documents]))).scalars().all()
        expected = service.programme_documents(session, programmes, today=TODAY, now=now)
    assert sorted(documents, key=lambda d: d["id"]) == sorted(expected, key=lambda d: d["id"])
    assert ["newly_arrived", "young_adults"] in [d["target_groups"] for d in documents]  # several, in code order


class _Statements:
    def __init__(self, engine):
        self.seen: list[str] = []
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _connection, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN (marketplace/db.py)
            self.seen.append(statement)


def test_an_api_search_costs_two_statements(app, api, staff_user, catalogue, settings):
    """With the next free dates stored (the refresh job ran): the token, and the page with its
    total, target groups and next free dates. A page with stale dates costs one more."""
    engine = app.extensions["insatstorget"].engine
    caller = api(staff_user)
    statements = _Statements(engine)
    response = caller.get(f"/api/v1/programmes?q=parklaget&available_from={RANGE[0]}&available_to={RANGE[1]}")
    assert response.status_code == 200 and response.get_json()["total"] > 0
    assert len(statements.seen) == 3, statements.seen  # every row stale: their runs read once for the page
    booking_jobs.refresh_next_free_dates(JobContext(engine=engine, settings=settings, now=clock.now()))
    statements.seen.clear()
    again = caller.get(f"/api/v1/programmes?q=parklaget&available_from={RANGE[0]}&available_to={RANGE[1]}")
    assert again.get_json() == response.get_json()
    assert len(statements.seen) == 2, statements.seen


def test_a_page_past_the_end_still_has_the_exact_total(api, staff_user, catalogue):
    body = api(staff_user).get("/api/v1/programmes?q=parklaget&page=50").get_json()
    assert body["items"] == [] and body["total"] == 8


def test_query_models_build_their_json_schema_once():
    from pydantic import BaseModel

    from marketplace.programmes.schemas import ProgrammeQuery

    schema = ProgrammeQuery.model_json_schema()
    assert ProgrammeQuery.model_json_schema() is schema
    assert schema["properties"]["target_group"]["type"] == "array"
    fresh = BaseModel.model_json_schema.__func__(ProgrammeQuery)
    assert set(schema["properties"]) == set(fresh["properties"])
    with pytest.raises(TypeError):
        schema["properties"]["q"]["maxLength"] = 1  # read-only: no caller can change what the next one reads


# Pairs of searches of one shape (same filters set, other values): the second reuses the first's statement.
SAME_SHAPE = [
    (ProgrammeFilters(q="parklaget"), ProgrammeFilters(q="verk")),
    (ProgrammeFilters(q="parklaget b"), ProgrammeFilters(q="verkstan c")),
    (ProgrammeFilters(category="outdoor_park"), ProgrammeFilters(category="bicycle")),
    (ProgrammeFilters(target_groups=("young_adults",), accessible=True),
     ProgrammeFilters(target_groups=("newly_arrived", "young_adults"), accessible=True)),
    (ProgrammeFilters(organisation="amf", max_price_ore=400_000), ProgrammeFilters(organisation="rk", max_price_ore=320_000)),
    (ProgrammeFilters(statuses=("published",)), ProgrammeFilters(statuses=("published", "draft", "paused"))),
]


@pytest.mark.parametrize("first, second", SAME_SHAPE, ids=lambda f: repr({k: v for k, v in f.__dict__.items() if v}))
def test_a_search_of_a_known_shape_reuses_its_statement_with_its_own_values(db, catalogue, first, second):
    now = datetime.fromisoformat(NOW)
    with Session(db.get_bind()) as session:
        service.search_documents(session, first, offset=0, limit=3, available=RANGE, today=TODAY, now=now)
        hits = service.SEARCH_STATEMENTS.hits
        documents, total = service.search_documents(session, second, offset=1, limit=4, available=RANGE, today=TODAY,
                                                    now=now)
        assert service.SEARCH_STATEMENTS.hits == hits + 1
    assert ([d["id"] for d in documents], total) == _reference(db, second, RANGE, offset=1, limit=4, now=now)


def test_a_reused_statement_answers_for_the_moment_and_day_it_is_run(db, catalogue):
    """The holds lapse and the range moves: the cached statement must not keep the first search's now or dates."""
    now = datetime.fromisoformat(NOW)
    held = catalogue[7]
    later, other_range = now + timedelta(days=4), (date(2026, 3, 23), date(2026, 3, 29))
    with Session(db.get_bind()) as session:
        before, _ = service.search_documents(session, ProgrammeFilters(), offset=0, limit=100, available=RANGE,
                                             today=TODAY, now=now)
        after, _ = service.search_documents(session, ProgrammeFilters(), offset=0, limit=100, available=RANGE,
                                            today=later.date(), now=later)
        moved, _ = service.search_documents(session, ProgrammeFilters(), offset=0, limit=100, available=other_range,
                                            today=TODAY, now=now)
    assert held.id not in [d["id"] for d in before]
    assert held.id in [d["id"] for d in after]
    free_after = {d["id"]: d["free_places"] for d in after}
    assert free_after[held.id] == held.capacity  # its holds no longer count today
    assert [d["id"] for d in moved] == _reference(db, ProgrammeFilters(), other_range, offset=0, limit=100, now=now)[0]


def test_threads_sharing_one_statement_each_get_their_own_answer(db, catalogue):
    """A server's threads run the same kept statement at once, each with its own values."""
    from concurrent.futures import ThreadPoolExecutor

    now = datetime.fromisoformat(NOW)
    searches = [ProgrammeFilters(category=category) for category in ("outdoor_park", "bicycle", "painting")] * 8
    expected = {f.category: _reference(db, f, RANGE, offset=0, limit=10, now=now) for f in searches[:3]}
    engine = db.get_bind()

    def run(filters: ProgrammeFilters):
        with Session(engine) as session:
            documents, total = service.search_documents(session, filters, offset=0, limit=10, available=RANGE,
                                                        today=TODAY, now=now)
        return filters.category, ([d["id"] for d in documents], total)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(run, searches))
    assert len({str(answer) for answer in expected.values()}) == 3  # a mix-up would show
    assert all(answer == expected[category] for category, answer in answers), answers
