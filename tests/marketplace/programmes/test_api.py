"""The programme API: search, read, create, change, status, ownership per role, bad input."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from catalog.models import Programme, ProgrammeChange
from marketplace.audit.models import AuditLog
from tests.factories import make_programme

NEW = {
    "code": "AMF-MAL-01", "name": "Målarverkstan Hägersten", "description": "Målning och tapetsering.",
    "category": "painting", "target_groups": ["long_term_unemployed", "young_adults"], "capacity": 6,
    "price": {"amount": "4500.00", "currency": "SEK", "unit": "month"}, "accessible": True,
    "location": "Telefonvägen 30, Hägersten", "schedule": "Mån–fre 8–15", "min_weeks": 4, "max_weeks": 26,
    "contact": {"name": "Per Ekström", "email": "per.ekstrom@stockholm.se", "phone": "08-508 000 00"},
    "status": "published",
}


def _errors(response) -> dict:
    return {error["field"]: error["message"] for error in response.get_json().get("errors", [])}


def test_a_coordinator_publishes_a_programme_and_staff_find_it(api, coordinator, staff_user):
    created = api(coordinator).post("/api/v1/programmes", json=NEW)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["organisation"]["code"] == "AMF" and body["status"] == "published"
    assert body["price"] == {"amount": "4500.00", "currency": "SEK", "unit": "month"}
    assert body["target_groups"] == ["long_term_unemployed", "young_adults"]
    assert body["free_places"] == 6 and body["contact"]["name"] == "Per Ekström"
    found = api(staff_user).get("/api/v1/programmes?q=malarverkstan").get_json()
    assert [item["code"] for item in found["items"]] == ["AMF-MAL-01"]
    assert found["total"] == 1 and found["page"] == 1 and found["per_page"] == 20


def test_creating_records_who_and_what_and_writes_an_audit_row(api, coordinator, db):
    programme_id = api(coordinator).post("/api/v1/programmes", json=NEW).get_json()["id"]
    change = db.execute(select(ProgrammeChange).where(ProgrammeChange.programme_id == programme_id)).scalar_one()
    assert change.action == "create" and change.actor_id == coordinator.id
    assert change.changes["name"] == [None, "Målarverkstan Hägersten"]
    audit = db.execute(select(AuditLog).where(AuditLog.action == "programme.create")).scalar_one()
    assert audit.object_id == str(programme_id) and audit.actor_id == coordinator.id


def test_a_coordinator_cannot_create_for_another_organisation(api, coordinator):
    response = api(coordinator).post("/api/v1/programmes", json={**NEW, "organisation": "HV"})
    assert response.status_code == 403


def test_admin_creates_for_any_organisation(api, admin_user):
    response = api(admin_user).post("/api/v1/programmes", json={**NEW, "organisation": "HV"})
    assert response.status_code == 201 and response.get_json()["organisation"]["code"] == "HV"


@pytest.mark.parametrize("user", ["staff_user", "finance_user"])
def test_staff_and_finance_cannot_create(api, request, user):
    assert api(request.getfixturevalue(user)).post("/api/v1/programmes", json=NEW).status_code == 403


@pytest.mark.parametrize("change, field", [
    ({"capacity": -1}, "capacity"),
    ({"category": "astronomy"}, "category"),
    ({"price": {"amount": "fyrtiofem", "unit": "month"}}, "price.amount"),
    ({"price": {"amount": "4500.00", "unit": "week"}}, "price.unit"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"description": "x" * 5001}, "description"),
    ({"target_groups": ["aliens"]}, "target_groups"),
    ({"organisation": "XX"}, "organisation"),
    ({"min_weeks": 10, "max_weeks": 4}, "max_weeks"),
    ({"contact": {"email": "inte-en-adress"}}, "contact_email"),
    ({"price": {"amount": "10.005", "unit": "day"}}, "price.amount"),
])
def test_bad_input_is_422_naming_the_field_and_stores_nothing(api, coordinator, db, change, field):
    response = api(coordinator).post("/api/v1/programmes", json={**NEW, **change})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert field in _errors(response), _errors(response)
    assert db.execute(select(Programme)).first() is None


def test_a_taken_code_is_422(api, coordinator, db):
    make_programme(db, code="AMF-MAL-01")
    response = api(coordinator).post("/api/v1/programmes", json=NEW)
    assert response.status_code == 422 and "code" in _errors(response)


def test_the_keeper_edits_and_the_change_is_recorded(api, coordinator, db):
    programme = make_programme(db, organisation="AMF", name="Gamla namnet", capacity=4)
    response = api(coordinator).patch(f"/api/v1/programmes/{programme.id}", json={"name": "Nya namnet", "capacity": 8})
    assert response.status_code == 200 and response.get_json()["name"] == "Nya namnet"
    change = db.execute(select(ProgrammeChange).where(ProgrammeChange.action == "update")).scalar_one()
    assert change.changes == {"name": ["Gamla namnet", "Nya namnet"], "capacity": [4, 8]}
    assert change.actor_id == coordinator.id
    audit = db.execute(select(AuditLog).where(AuditLog.action == "programme.update")).scalar_one()
    assert audit.details == {"fields": ["capacity", "name"]}


def test_another_organisations_coordinator_gets_403_on_a_published_programme(api, other_coordinator, db):
    programme = make_programme(db, organisation="AMF")
    assert api(other_coordinator).patch(f"/api/v1/programmes/{programme.id}", json={"name": "X"}).status_code == 403


def test_another_organisations_coordinator_gets_404_on_an_unpublished_one(api, other_coordinator, db):
    programme = make_programme(db, organisation="AMF", status="draft")
    assert api(other_coordinator).patch(f"/api/v1/programmes/{programme.id}", json={"name": "X"}).status_code == 404
    assert api(other_coordinator).get(f"/api/v1/programmes/{programme.id}").status_code == 404


def test_staff_get_403_on_change_and_404_on_drafts(api, staff_user, db):
    published = make_programme(db, organisation="AMF")
    draft = make_programme(db, organisation="AMF", status="draft")
    assert api(staff_user).patch(f"/api/v1/programmes/{published.id}", json={"name": "X"}).status_code == 403
    assert api(staff_user).get(f"/api/v1/programmes/{published.id}").status_code == 200
    assert api(staff_user).get(f"/api/v1/programmes/{draft.id}").status_code == 404


def test_admin_edits_any_programme(api, admin_user, db):
    programme = make_programme(db, organisation="HV")
    assert api(admin_user).patch(f"/api/v1/programmes/{programme.id}", json={"capacity": 2}).status_code == 200


def test_pause_hides_and_publish_shows_again_and_archive_is_final(api, coordinator, staff_user, db):
    programme = make_programme(db, organisation="AMF", name="Pausbar")
    keeper, staff = api(coordinator), api(staff_user)
    assert keeper.patch(f"/api/v1/programmes/{programme.id}", json={"status": "paused"}).get_json()["status"] == "paused"
    assert staff.get("/api/v1/programmes?q=pausbar").get_json()["total"] == 0
    assert keeper.patch(f"/api/v1/programmes/{programme.id}", json={"status": "published"}).status_code == 200
    assert staff.get("/api/v1/programmes?q=pausbar").get_json()["total"] == 1
    assert keeper.patch(f"/api/v1/programmes/{programme.id}", json={"status": "archived"}).status_code == 200
    again = keeper.patch(f"/api/v1/programmes/{programme.id}", json={"status": "published"})
    assert again.status_code == 409
    assert keeper.patch(f"/api/v1/programmes/{programme.id}", json={"name": "Nytt"}).status_code == 409
    statuses = [c.changes["status"] for c in db.execute(select(ProgrammeChange).where(
        ProgrammeChange.programme_id == programme.id, ProgrammeChange.action != "create").order_by(ProgrammeChange.id)).scalars()]
    assert statuses == [["published", "paused"], ["paused", "published"], ["published", "archived"]]


def test_bad_patch_input_is_422_and_changes_nothing(api, coordinator, db):
    programme = make_programme(db, organisation="AMF", name="Orörd", capacity=3)
    for change, field in (({"capacity": -5}, "capacity"), ({"name": None}, "name"), ({"price": {"amount": "x", "unit": "day"}}, "price.amount"),
                          ({"category": "nope"}, "category"), ({"status": "deleted"}, "status")):
        response = api(coordinator).patch(f"/api/v1/programmes/{programme.id}", json=change)
        assert response.status_code == 422 and field in _errors(response), (change, response.get_json())
    db.rollback()
    db.expire_all()
    fresh = db.get(Programme, programme.id)
    assert (fresh.name, fresh.capacity, fresh.category_code) == ("Orörd", 3, "painting")


def test_unknown_programme_is_404(api, staff_user):
    assert api(staff_user).get("/api/v1/programmes/999999").status_code == 404


def test_signed_out_callers_get_401(api):
    assert api().get("/api/v1/programmes").status_code == 401


def test_paging_splits_the_results_and_keeps_the_total(api, staff_user, db):
    for number in range(5):
        make_programme(db, name=f"Parklag {number}", category="outdoor_park")
    caller = api(staff_user)
    pages = [caller.get(f"/api/v1/programmes?q=parklag&per_page=2&page={page}").get_json() for page in (1, 2, 3)]
    assert [p["total"] for p in pages] == [5, 5, 5]
    assert [[i["name"] for i in p["items"]] for p in pages] == [["Parklag 0", "Parklag 1"], ["Parklag 2", "Parklag 3"], ["Parklag 4"]]
    assert caller.get("/api/v1/programmes?per_page=101").status_code == 422
    assert caller.get("/api/v1/programmes?page=0").status_code == 422


def test_filters_through_the_api(api, staff_user, db):
    make_programme(db, name="Billig park", category="outdoor_park", price_ore=200_000, organisation="RK",
                   target_groups=["young_adults"], accessible=True)
    make_programme(db, name="Dyr park", category="outdoor_park", price_ore=900_000, organisation="HV",
                   target_groups=["substance_use"])
    make_programme(db, name="Café Tensta", category="bakery_cafe", price_ore=300_000, organisation="ST",
                   target_groups=["newly_arrived"])
    caller = api(staff_user)

    def names(query):
        response = caller.get("/api/v1/programmes?" + query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return [item["name"] for item in response.get_json()["items"]]

    assert names("category=outdoor_park") == ["Billig park", "Dyr park"]
    assert names("target_group=substance_use&target_group=newly_arrived") == ["Café Tensta", "Dyr park"]
    assert names("organisation=HV") == ["Dyr park"]
    assert names("accessible=true") == ["Billig park"]
    assert names("max_price=3000") == ["Billig park", "Café Tensta"]
    assert names("max_price=3000&category=outdoor_park") == ["Billig park"]
    assert names("q=cafe") == ["Café Tensta"] and names("q=café") == ["Café Tensta"]
    assert caller.get("/api/v1/programmes?max_price=mycket").status_code == 422


def test_reference_data_in_swedish_and_english(api, staff_user):
    caller = api(staff_user)
    organisations = caller.get("/api/v1/organisations").get_json()["items"]
    assert {"code": "RK", "kind": "district"}.items() <= next(o for o in organisations if o["code"] == "RK").items()
    categories = {c["code"]: c["label"] for c in caller.get("/api/v1/categories").get_json()["items"]}
    assert categories["painting"] == "Måleri" and len(categories) == 20
    english = {c["code"]: c["label"] for c in caller.get("/api/v1/categories?lang=en").get_json()["items"]}
    assert english["painting"] == "Painting"
    groups = {g["code"]: g["label"] for g in caller.get("/api/v1/target-groups", headers={"Accept-Language": "en"}).get_json()["items"]}
    assert groups["newly_arrived"] == "Newly arrived and SFI students"
    assert api().get("/api/v1/categories").status_code == 401


def test_the_programme_document_has_exactly_the_api_fields(api, staff_user, db):
    programme = make_programme(db)
    body = api(staff_user).get(f"/api/v1/programmes/{programme.id}").get_json()
    required = {"id", "code", "name", "description", "organisation", "category", "target_groups", "capacity",
                "free_places", "price", "status", "accessible", "location", "schedule", "min_weeks", "max_weeks", "contact"}
    assert required <= set(body)
    assert set(body["organisation"]) == {"id", "code", "name"} and set(body["contact"]) == {"name", "email", "phone"}
