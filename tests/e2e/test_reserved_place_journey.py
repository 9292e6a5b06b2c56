"""A social worker finds a place for a young participant who must start soon and books a
place reserved for young adults, in the browser.

She filters by the participant's age, the latest start date and the participant's target
group; only the programme that admits the age and has a place (reserved for the group) in time
is listed, with the day the participant can start; she requests the place with the target
group stated. Without the target group, the same programme has no free period.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from catalog import reservations
from tests.e2e.support import fill_request, sign_in, visit
from tests.factories import make_programme
from tests.marketplace.bookings._factories import _make_booking

pytestmark = pytest.mark.e2e
J = "reserved-place"


def test_a_social_worker_filters_by_age_and_start_date_and_books_a_reserved_place(page, db, staff_user,
                                                                                 frozen_clock):
    frozen_clock("2026-03-02T09:00:00")
    reserved = make_programme(db, organisation="AMF", name="Cykelverkstan Unga", category="bicycle", capacity=2,
                              min_age=18, max_age=29, description="Reparation av cyklar.")
    reservations.replace(db, reserved, [{"target_group": "young_adults", "places": 1}], actor_id=None,
                         now=reserved.created_at)
    db.commit()
    # The unreserved place is taken all of March: only the young adults' place is free.
    _make_booking(db, reserved, start=date(2026, 3, 2), end=date(2026, 3, 31), requester_id=staff_user.id)
    make_programme(db, organisation="AMF", name="Cykelverkstan Vuxna", category="bicycle", min_age=30,
                   description="Reparation av cyklar.")
    late = make_programme(db, organisation="AMF", name="Cykelverkstan Senare", category="bicycle",
                          valid_from=date(2026, 5, 4), description="Reparation av cyklar.")
    assert late.id

    sign_in(page, staff_user)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Sök insatser").click()
    page.get_by_label("Sökord").fill("cykel")
    page.get_by_label("Deltagarens ålder").fill("22")
    page.get_by_label("Kan börja senast").fill("2026-03-16")
    page.get_by_role("button", name="Sök").click()
    visit(page, J, "01-without-target-group")
    expect(page.get_by_role("status")).to_contain_text("0 insatser")

    page.get_by_label("Deltagarens målgrupp").select_option("young_adults")
    page.get_by_role("button", name="Sök").click()
    visit(page, J, "02-with-target-group")
    expect(page.get_by_role("status")).to_contain_text("1 insats")
    card = page.get_by_role("article", name="Cykelverkstan Unga")
    expect(card).to_contain_text("Kan börja")
    expect(card).to_contain_text("2 mars 2026")
    expect(page.get_by_role("heading", name="Cykelverkstan Vuxna")).to_have_count(0)
    expect(page.get_by_role("heading", name="Cykelverkstan Senare")).to_have_count(0)

    card.get_by_role("link", name="Cykelverkstan Unga").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cykelverkstan Unga")
    expect(page.get_by_text("1 för Unga vuxna")).to_be_visible()
    visit(page, J, "03-programme")
    page.get_by_role("link", name="Begär plats").click()
    page.get_by_label("Deltagarens målgrupp").select_option("young_adults")
    page.get_by_label("Deltagarens ålder (år)").fill("22")
    visit(page, J, "04-request-form")
    ref = fill_request(page, start="2026-03-09", end="2026-04-30", participant_ref="RK-2026-0077",
                       participant_name="Amir Karimi")
    visit(page, J, "05-requested")
    assert re.match(r"B-2026-\d{6}", ref)
