"""A programme's activity code (verksamhetskod): API read and write, the coordinator's form, the import."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from catalog import importer
from catalog.errors import ImportRejected
from catalog.models import Organisation, Programme
from tests.factories import make_programme
from tests.marketplace.programmes.test_api import NEW

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _errors(response) -> dict:
    return {error["field"]: error["message"] for error in response.get_json().get("errors", [])}


def test_the_api_writes_reads_and_clears_the_activity_code(api, coordinator, staff_user, db):
    created = api(coordinator).post("/api/v1/programmes", json={**NEW, "activity_code": "57010"})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["activity_code"] == "57010"
    assert api(staff_user).get(f"/api/v1/programmes/{body['id']}").get_json()["activity_code"] == "57010"

    changed = api(coordinator).patch(f"/api/v1/programmes/{body['id']}", json={"activity_code": "5700"})
    assert changed.status_code == 200 and changed.get_json()["activity_code"] == "5700"
    cleared = api(coordinator).patch(f"/api/v1/programmes/{body['id']}", json={"activity_code": None})
    assert cleared.status_code == 200 and cleared.get_json()["activity_code"] is None
    db.rollback()
    db.expire_all()  # a fresh snapshot, read again
    assert db.get(Programme, body["id"]).activity_code == ""


def test_a_programme_without_a_code_reads_null(api, staff_user, db):
    programme = make_programme(db)
    assert api(staff_user).get(f"/api/v1/programmes/{programme.id}").get_json()["activity_code"] is None


@pytest.mark.parametrize("code", ["57", "12345678901", "57A0", " 5700x", "-570", "=1+2"])
def test_a_malformed_code_is_422_and_changes_nothing(api, coordinator, db, code):
    created = api(coordinator).post("/api/v1/programmes", json={**NEW, "activity_code": code})
    assert created.status_code == 422, created.get_data(as_text=True)
    assert created.mimetype == "application/problem+json"
    assert db.execute(select(Programme)).first() is None
    programme = make_programme(db, organisation="AMF")
    patched = api(coordinator).patch(f"/api/v1/programmes/{programme.id}", json={"activity_code": code})
    assert patched.status_code == 422 and patched.mimetype == "application/problem+json"
    db.rollback()
    db.expire_all()  # a fresh snapshot, read again
    assert db.get(Programme, programme.id).activity_code == ""


def test_the_domain_rule_names_the_field(db):
    from catalog import programmes as catalogue
    from catalog.errors import InvalidProgramme

    programme = make_programme(db, organisation="AMF")
    with pytest.raises(InvalidProgramme) as refused:
        catalogue.update_programme(db, programme, {"activity_code": "12"}, actor_id=None, now=NOW)
    assert refused.value.errors == [("activity_code", "Verksamhetskoden är 3–10 siffror, till exempel 5700.")]


def test_the_coordinator_sets_the_code_in_the_form_and_gets_a_swedish_error(db, client, login, coordinator):
    programme = make_programme(db, organisation="AMF")
    login(coordinator)
    page = client.get(f"/vara-insatser/{programme.id}/andra").get_data(as_text=True)
    assert 'name="activity_code"' in page and "Verksamhetskod" in page
    form = {"name": programme.name, "code": programme.code, "organisation": "AMF", "category": programme.category_code,
            "capacity": str(programme.capacity), "price": "4500", "price_unit": "month"}
    bad = client.post(f"/vara-insatser/{programme.id}/andra", data={**form, "activity_code": "57A"})
    assert bad.status_code == 422 and "Verksamhetskoden är 3–10 siffror" in bad.get_data(as_text=True)
    db.rollback()
    db.expire_all()  # a fresh snapshot, read again
    assert db.get(Programme, programme.id).activity_code == ""
    ok = client.post(f"/vara-insatser/{programme.id}/andra", data={**form, "activity_code": "5710"})
    assert ok.status_code == 302, ok.get_data(as_text=True)[:2000]
    db.rollback()
    db.expire_all()  # a fresh snapshot, read again
    assert db.get(Programme, programme.id).activity_code == "5710"
    detail = client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert "5710" in detail
    assert 'value="5710"' in client.get(f"/vara-insatser/{programme.id}/andra").get_data(as_text=True)


def _amf(db) -> int:
    return db.execute(select(Organisation.id).where(Organisation.code == "AMF")).scalar_one()


def test_the_import_reads_the_column_in_english_or_swedish_and_works_without_it(db):
    header = "kod;namn;kategori;platser;pris;prisenhet;{}\r\n"
    with_english = header.format("activity_code") + "IMP-1;Importlaget;painting;4;4 500;månad;5720\r\n"
    with_swedish = header.format("Verksamhetskod") + "IMP-2;Importlaget 2;painting;4;4 500;månad;\r\n"
    without = "kod;namn;kategori;platser;pris;prisenhet\r\nIMP-3;Importlaget 3;painting;4;4 500;månad\r\n"
    codes = {}
    for data in (with_english, with_swedish, without):
        for programme in importer.import_programmes(db, data.encode("utf-8"), default_organisation_id=_amf(db),
                                                    allowed_organisation_ids=None, actor_id=None, now=NOW):
            codes[programme.code] = programme.activity_code
    assert codes == {"IMP-1": "5720", "IMP-2": "", "IMP-3": ""}


def test_the_import_refuses_a_malformed_code_naming_row_and_column(db):
    data = ("kod;namn;kategori;platser;pris;prisenhet;verksamhetskod\r\n"
            "IMP-1;Bra;painting;4;4 500;månad;5700\r\n"
            "IMP-2;Dålig;painting;4;4 500;månad;57 00\r\n")
    with pytest.raises(ImportRejected) as rejected:
        importer.import_programmes(db, data.encode("utf-8"), default_organisation_id=_amf(db),
                                   allowed_organisation_ids=None, actor_id=None, now=NOW)
    assert rejected.value.row_errors == [(3, "verksamhetskod", "Verksamhetskoden är 3–10 siffror, till exempel 5700.")]
    assert db.execute(select(Programme)).first() is None


def test_the_import_page_and_template_name_the_column(db, client, login, coordinator):
    login(coordinator)
    page = client.get("/vara-insatser/importera").get_data(as_text=True)
    assert "activity_code" in page and "Verksamhetskod" in page
    template = client.get("/vara-insatser/importera/mall.csv").data.decode("utf-8-sig").splitlines()
    header, example = template[0].split(";"), template[1].split(";")
    assert example[header.index("activity_code")] == "5700"
