"""The catalogue's pages in words, not code: the change log names what changed as the form does,
the import page describes each column beside the name the file uses, and one imported
programme is "1 insats", not "1 insatser"."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from catalog import importer
from catalog.models import Programme
from marketplace.programmes import change_labels, import_columns
from tests.marketplace.programmes.test_views import FORM


def _history(page: str) -> str:
    return re.search(r'<ul class="change-list">(.*?)</ul>', page, re.S).group(1)


def test_the_change_log_names_the_changed_facts_in_swedish_not_by_field_name(client, login, coordinator, db):
    login(coordinator)
    assert client.post("/vara-insatser/ny", data=FORM).status_code == 302
    programme = db.execute(select(Programme).where(Programme.code == FORM["code"])).scalar_one()
    data = {**FORM, "name": "Nytt namn", "price": "5 000", "category": "bicycle"}
    data.pop("publish")
    assert client.post(f"/vara-insatser/{programme.id}/andra", data=data).status_code == 302
    history = _history(client.get(f"/insatser/{programme.id}").get_data(as_text=True))
    assert "Ändrad – namn, kategori, pris" in history
    assert "Skapad" in history
    assert not re.search(r"price_ore|category_code|organisation_id|\bcreate\b|\bupdate\b", history), history

    client.post("/sprak/en", data={"next": "/"})
    history = _history(client.get(f"/insatser/{programme.id}").get_data(as_text=True))
    assert "Changed – name, category, price" in history and "Created" in history


def test_every_field_the_catalogue_records_has_a_label():
    from catalog.models import Programme

    recorded = set(Programme.model_fields) - {"id", "search_text", "search_name", "created_at", "updated_at",
                                              "updated_by_id", "stale", "confirm_reminded_at"}
    assert recorded <= set(change_labels.FIELDS) | {"target_groups"}, recorded - set(change_labels.FIELDS)


def test_every_import_column_has_a_swedish_description_beside_its_name(client, login, coordinator):
    assert {c.name for c in import_columns.columns() if c.description is None} == set()
    login(coordinator)
    page = client.get("/vara-insatser/importera").get_data(as_text=True)
    for name in importer.COLUMNS:
        assert f"<code>{name}</code>" in page
    row = re.search(r"<tr>\s*<th scope=\"row\"><code>price_unit</code>.*?</tr>", page, re.S).group(0)
    assert "prisenhet" in row and "Prisenhet: månad, dag eller placering." in row and "Ja" in row
    assert "<code>long_term_unemployed</code>" in page  # the codes a cell takes, with their names
    assert not re.search(r"<code>[^<]{80,}</code>", page), "an unbroken line of column names is back"


def test_one_imported_programme_is_announced_in_the_singular(client, login, coordinator, db):
    login(coordinator)
    template = client.get("/vara-insatser/importera/mall.csv").data
    response = client.post("/vara-insatser/importera", data={"file": (io.BytesIO(template), "mall.csv")},
                           content_type="multipart/form-data", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 insats är importerad." in page and "1 insatser" not in page
