"""Catalogue pages: search form without JavaScript, programme page, own list, forms, status, import."""

from __future__ import annotations

import io

from sqlalchemy import select

from catalog.models import Programme, ProgrammeChange
from tests.factories import make_programme

FORM = {
    "name": "Snickeriet Västberga", "code": "AMF-SNICK-01", "organisation": "AMF", "category": "carpentry",
    "target_groups": ["long_term_unemployed", "young_adults"], "description": "Enklare möbler och reparationer.",
    "capacity": "8", "price": "4 500,00", "price_unit": "month", "min_weeks": "4", "max_weeks": "26",
    "contact_name": "Per Ekström", "contact_phone": "08-508 000 00", "contact_email": "per.ekstrom@stockholm.se",
    "publish": "y", "accessible": "y",
}


def test_search_page_shows_cards_with_organisation_category_groups_price_and_free_places(client, login, staff_user, db):
    make_programme(db, name="Måleriverkstan", organisation="AMF", category="painting", price_ore=450_000,
                   target_groups=["young_adults"], capacity=5)
    login(staff_user)
    page = client.get("/insatser?q=maleri").get_data(as_text=True)
    assert "Måleriverkstan" in page and "Arbetsmarknadsförvaltningen" in page and "Måleri" in page
    assert "Unga vuxna 18–29 år" in page
    assert "4\u00a0500,00\u00a0kr" in page and "per månad" in page
    assert "5 platser lediga idag" in page


def test_search_filters_work_as_a_plain_get_form(client, login, staff_user, db):
    make_programme(db, name="Parklaget", category="outdoor_park", accessible=True)
    make_programme(db, name="Cykelköket", category="bicycle")
    login(staff_user)
    page = client.get("/insatser?category=bicycle&q=&max_price=&accessible=").get_data(as_text=True)
    assert "Cykelköket" in page and "Parklaget" not in page
    page = client.get("/insatser?accessible=1").get_data(as_text=True)
    assert "Parklaget" in page and "Cykelköket" not in page


def test_bad_search_input_shows_a_swedish_error_with_422(client, login, staff_user):
    login(staff_user)
    response = client.get("/insatser?max_price=billigt&available_from=igår")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Ange högsta pris som ett belopp i kronor" in page and "Ange datum som ÅÅÅÅ-MM-DD." in page


def test_an_empty_result_says_what_to_do(client, login, staff_user):
    login(staff_user)
    page = client.get("/insatser?q=zebrafink").get_data(as_text=True)
    assert "Inga insatser matchar sökningen." in page and "Prova färre eller kortare ord" in page


def test_search_pages_link_to_the_next_page_with_the_same_filters(client, login, staff_user, db):
    for number in range(3):
        make_programme(db, name=f"Parklag {number}", category="outdoor_park")
    login(staff_user)
    page = client.get("/insatser?q=parklag&per_page=2").get_data(as_text=True)
    assert "Parklag 0" in page and "Parklag 2" not in page
    assert "q=parklag" in page and "page=2" in page
    assert "Parklag 2" in client.get("/insatser?q=parklag&per_page=2&page=2").get_data(as_text=True)


def test_the_programme_page_has_what_a_social_worker_needs(client, login, staff_user, db):
    programme = make_programme(db, name="Bokvården", category="book_care", location="Stadsbiblioteket, Odengatan 53",
                               schedule="Mån–tor 9–15", contact_name="Elin Sjöberg", contact_phone="08-508 311 00",
                               contact_email="elin.sjoberg@stockholm.se", min_weeks=8, max_weeks=26, accessible=True)
    login(staff_user)
    page = client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    for text in ("Bokvården", "Stadsbiblioteket, Odengatan 53", "Mån–tor 9–15", "Elin Sjöberg", "08-508 311 00",
                 "elin.sjoberg@stockholm.se", "8–26 veckor", "Vem du ringer", "Senast uppdaterad",
                 "Lediga platser idag"):
        assert text in page, text
    assert "Ändra" not in page


def test_a_draft_page_is_404_for_others_and_visible_to_its_keeper(client, login, staff_user, coordinator, db, app):
    programme = make_programme(db, organisation="AMF", status="draft")
    login(staff_user)
    assert client.get(f"/insatser/{programme.id}").status_code == 404
    keeper = login(coordinator, target=app.test_client())
    page = keeper.get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert "Utkast" in page and "Publicera" in page


def test_a_coordinator_publishes_through_the_form_and_sees_it_at_once(client, login, coordinator, db):
    login(coordinator)
    response = client.post("/vara-insatser/ny", data=FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    programme = db.execute(select(Programme).where(Programme.code == "AMF-SNICK-01")).scalar_one()
    assert (programme.status, programme.price_ore, programme.capacity, programme.accessible) == ("published", 450_000, 8, True)
    assert "Snickeriet Västberga" in client.get("/insatser?q=vastberga").get_data(as_text=True)


def test_form_errors_are_swedish_422_and_nothing_is_stored(client, login, coordinator, db):
    login(coordinator)
    bad = {**FORM, "name": "", "capacity": "-2", "price": "gratis", "max_weeks": "tusen", "category": "astronomy"}
    response = client.post("/vara-insatser/ny", data=bad)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for text in ("Ange ett namn.", "Antal platser måste vara ett heltal", "Priset måste vara ett belopp i kronor",
                 "Ange ett heltal mellan 1 och"):
        assert text in page, text
    assert db.execute(select(Programme)).first() is None


def test_an_oversized_description_is_refused(client, login, coordinator, db):
    login(coordinator)
    response = client.post("/vara-insatser/ny", data={**FORM, "description": "x" * 5001})
    assert response.status_code == 422 and "Högst 5000 tecken." in response.get_data(as_text=True)


def test_a_coordinator_cannot_create_for_another_organisation_through_the_form(client, login, coordinator, db):
    login(coordinator)
    response = client.post("/vara-insatser/ny", data={**FORM, "organisation": "HV"})
    assert response.status_code == 422  # HV is not among the choices offered
    assert db.execute(select(Programme)).first() is None


def test_a_coordinator_edits_their_own_and_the_change_is_recorded(client, login, coordinator, db):
    programme = make_programme(db, organisation="AMF", name="Gammalt namn")
    login(coordinator)
    form = client.get(f"/vara-insatser/{programme.id}/andra").get_data(as_text=True)
    assert "Gammalt namn" in form and "4500" in form
    data = {**FORM, "code": programme.code, "name": "Nytt namn", "category": "painting", "target_groups": ["long_term_unemployed"]}
    data.pop("publish")
    response = client.post(f"/vara-insatser/{programme.id}/andra", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    change = db.execute(select(ProgrammeChange).where(ProgrammeChange.action == "update")).scalar_one()
    assert change.changes["name"] == ["Gammalt namn", "Nytt namn"] and change.actor_id == coordinator.id


def test_another_coordinator_gets_403_on_a_published_and_404_on_a_draft(client, login, other_coordinator, db):
    published = make_programme(db, organisation="AMF")
    draft = make_programme(db, organisation="AMF", status="draft")
    login(other_coordinator)
    assert client.get(f"/vara-insatser/{published.id}/andra").status_code == 403
    assert client.post(f"/vara-insatser/{published.id}/status", data={"target": "paused"}).status_code == 403
    assert client.get(f"/vara-insatser/{draft.id}/andra").status_code == 404


def test_staff_cannot_reach_the_keeper_pages(client, login, staff_user):
    login(staff_user)
    assert client.get("/vara-insatser").status_code == 403
    assert client.get("/vara-insatser/ny").status_code == 403
    assert client.get("/vara-insatser/importera").status_code == 403


def test_own_list_shows_only_own_programmes_for_a_coordinator_and_all_for_admin(client, login, coordinator, admin_user, db, app):
    make_programme(db, organisation="AMF", name="Vår insats", status="draft")
    make_programme(db, organisation="HV", name="Deras insats")
    login(coordinator)
    page = client.get("/vara-insatser").get_data(as_text=True)
    assert "Vår insats" in page and "Deras insats" not in page
    admin = login(admin_user, target=app.test_client())
    page = admin.get("/vara-insatser").get_data(as_text=True)
    assert "Vår insats" in page and "Deras insats" in page


def test_pause_and_archive_buttons_change_the_status(client, login, coordinator, db):
    programme = make_programme(db, organisation="AMF")
    login(coordinator)
    assert client.post(f"/vara-insatser/{programme.id}/status", data={"target": "paused"}).status_code == 302
    db.rollback()
    db.expire_all()
    assert db.get(Programme, programme.id).status == "paused"
    client.post(f"/vara-insatser/{programme.id}/status", data={"target": "archived"})
    db.rollback()
    db.expire_all()
    assert db.get(Programme, programme.id).status == "archived"
    response = client.post(f"/vara-insatser/{programme.id}/status", data={"target": "published"}, follow_redirects=True)
    assert "Det gick inte" in response.get_data(as_text=True)
    db.rollback()
    db.expire_all()
    assert db.get(Programme, programme.id).status == "archived"


def test_csv_import_page_lists_errors_by_row_and_column_and_imports_nothing(client, login, coordinator, db):
    login(coordinator)
    text = "code;name;category;capacity;price;price_unit\r\nA-1;Bra;painting;3;100;dag\r\nA-2;Dålig;painting;-1;x;vecka\r\n"
    response = client.post("/vara-insatser/importera", data={"file": (io.BytesIO(text.encode("utf-8-sig")), "insatser.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<td>3</td><td>price</td>" in page and "<td>3</td><td>price_unit</td>" in page
    assert db.execute(select(Programme)).first() is None


def test_csv_import_page_imports_a_valid_file(client, login, coordinator, db):
    login(coordinator)
    template = client.get("/vara-insatser/importera/mall.csv")
    assert template.status_code == 200 and template.data.startswith("\ufeff".encode())
    response = client.post("/vara-insatser/importera", data={"file": (io.BytesIO(template.data), "mall.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.execute(select(Programme.code)).scalars().all() == ["AMF-SNICK-01"]


def test_the_start_page_shows_a_coordinator_their_programmes_with_free_places(client, login, coordinator, db):
    make_programme(db, organisation="AMF", name="Vår verkstad", capacity=3)
    make_programme(db, organisation="HV", name="Någon annans")
    login(coordinator)
    page = client.get("/").get_data(as_text=True)
    assert "Våra insatser" in page and "Vår verkstad" in page and "3 av 3 platser lediga idag" in page
    assert "Någon annans" not in page


def test_the_start_page_points_staff_to_the_catalogue(client, login, staff_user, db):
    make_programme(db)
    login(staff_user)
    page = client.get("/").get_data(as_text=True)
    assert "1 publicerad insats i hela staden." in page and "/insatser" in page


def test_the_programme_page_offers_staff_a_place_request_and_keepers_the_occupancy(client, login, staff_user, coordinator, db, app):
    programme = make_programme(db, organisation="AMF")
    login(staff_user)
    page = client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert f"/insatser/{programme.id}/boka" in page and "Begär plats" in page
    keeper = login(coordinator, target=app.test_client()).get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert f"/insatser/{programme.id}/belaggning" in keeper and "Begär plats" not in keeper
