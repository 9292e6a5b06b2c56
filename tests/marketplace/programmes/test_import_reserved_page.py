"""The import page and the reserved-places column as a coordinator meets them: the column is
described, the template brings a reservation along, and a hostile cell comes back escaped."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from catalog.models import Programme


def _upload(client, text: str):
    return client.post("/vara-insatser/importera", data={"file": (io.BytesIO(text.encode("utf-8-sig")), "insatser.csv")},
                       content_type="multipart/form-data")


def test_the_page_describes_the_column_and_the_template_imports_its_reservation(client, login, coordinator, db):
    login(coordinator)
    page = client.get("/vara-insatser/importera").get_data(as_text=True)
    row = re.search(r"<tr>\s*<th scope=\"row\"><code>reserved</code>.*?</tr>", page, re.S).group(0)
    assert "reserverade_platser" in row and "young_adults:2" in row and "org:RK:1" in row and "Nej" in row
    template = client.get("/vara-insatser/importera/mall.csv").data
    assert _upload(client, template.decode("utf-8-sig")).status_code == 302
    programme = db.execute(select(Programme).where(Programme.code == "AMF-SNICK-01")).scalar_one()
    assert programme.reserved_places == 2
    shown = client.get(f"/insatser/{programme.id}").get_data(as_text=True)
    assert "2 för Unga vuxna 18–29 år" in shown


def test_a_hostile_cell_is_named_escaped_and_nothing_is_imported(client, login, coordinator, db):
    login(coordinator)
    text = ("kod;namn;kategori;platser;pris;prisenhet;reserverade_platser\r\n"
            "AMF-1;Bra;painting;3;4500;månad;young_adults:1\r\n"
            "AMF-2;Elak;painting;3;4500;månad;<script>alert(1)</script>:1\r\n"
            "AMF-3;Stor;painting;3;4500;månad;org:RK:2|young_adults:2\r\n")
    response = _upload(client, text)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;:1" in page
    assert "<td>3</td><td>reserverade_platser</td>" in page and "<td>4</td><td>reserverade_platser</td>" in page
    assert "De reserverade platserna (4) är fler än insatsens platser (3)." in page
    db.rollback()
    assert db.execute(select(Programme)).first() is None
