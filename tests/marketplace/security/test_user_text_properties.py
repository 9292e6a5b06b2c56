"""Property test: any Unicode text as a programme's name — markup, percent signs, formula
starters — goes through programme creation into every page and file with no 5xx, no
unescaped markup and no live spreadsheet formula."""

from __future__ import annotations

import csv
import io
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from billing.files.csv_excel import write_csv as billing_csv
from billing.files.sie4 import write_sie4
from billing.files.xlsx import write_xlsx as billing_xlsx
from billing.lines import pair_totals
from marketplace.kernel.spreadsheet import starts_formula
from tests.billing.files._lines import HEADER, line
from tests.billing.files.sie_reader import read_sie
from tests.factories import make_programme
from tests.marketplace.security._helpers import make_booking
from tests.marketplace.test_permission_matrix import world  # noqa: F401  (the module's world fixture)

PERIOD = "from=2026-01-01&to=2026-12-31"
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40) | st.sampled_from(
    ['<meta http-equiv="refresh" content="0;url=https://evil.example">', "Rehab 100%", "%(name)s %s %",
     '=HYPERLINK("http://x";"y")', "+1", "-900,00", "@SUM(1)", "\tTab", "\rCR", " =1", "</svg><script>x</script>"])
NAMES = TEXT.map(lambda text: text.strip()).filter(bool)
_numbers = itertools.count(1)


def _no_live_formula_in_csv(data: bytes, needle: str) -> None:
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), dialect="excel", delimiter=";"):
        for cell in row:
            if needle in cell or cell.lstrip("'") == needle:
                assert not starts_formula(cell), cell


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(name=NAMES)
def test_any_programme_name_is_text_on_every_page_and_in_every_file(world, name):  # noqa: F811
    engine = world.app.extensions["insatstorget"].engine
    with Session(engine, expire_on_commit=False) as db:
        try:
            programme = make_programme(db, organisation="AMF", name=name, code=f"PROP-{next(_numbers)}")
        except Exception as error:  # the catalogue may refuse a name: then as its own field error, never a crash
            from catalog.errors import InvalidProgramme

            assert isinstance(error, InvalidProgramme) and error.field == "name", repr(error)
            return
        make_booking(db, programme, requester_id=world.users["staff_own"].id, status="ended",
                     start=__import__("datetime").date(2026, 1, 5), end=__import__("datetime").date(2026, 2, 27))
    pages = ["/insatser", f"/insatser/{programme.id}", f"/statistik?{PERIOD}", "/vara-insatser", "/placeringar"]
    escaped = __import__("markupsafe").escape(name)
    for actor in ("staff_own", "coordinator_own", "finance", "admin"):
        client = world.client(actor)
        for url in pages:
            response = client.get(url)
            assert response.status_code < 500, (actor, url)
            if response.status_code == 200 and "<" in name:
                assert name not in response.get_data(as_text=True) or name == str(escaped), (actor, url)
    client = world.client("finance")
    for table in ("occupancy", "programme", "cost"):
        response = client.get(f"/statistik/export.csv?{PERIOD}&table={table}")
        assert response.status_code == 200
        _no_live_formula_in_csv(response.get_data(), name)
    response = client.get(f"/statistik/export.xlsx?{PERIOD}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert not [cell.coordinate for sheet in book for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


@settings(max_examples=150, deadline=None)
@given(name=TEXT, organisation=TEXT)
def test_finance_files_hold_any_text_as_text_and_amounts_as_numbers(name, organisation):
    lines = [line(programme_name=name, amount=-90_000)._replace(buyer_name=organisation), line(ref="B-2026-000002")]
    rows = list(csv.DictReader(io.StringIO(billing_csv(HEADER, lines).decode("utf-8-sig"), newline=""),
                               dialect="excel", delimiter=";"))
    assert [row["amount"] for row in rows] == ["-900,00", "4500,00"]
    for row in rows:
        for column in ("programme_name", "buyer_name", "provider_name"):
            assert not starts_formula(row[column])
    # The typed text survives whole; only a formula start gains the one leading apostrophe.
    assert rows[0]["programme_name"] == ("'" + name if starts_formula(name) else name)
    sie = read_sie(write_sie4(HEADER, lines))
    assert not any(starts_formula(text) for text in sie.objects.values())
    book = load_workbook(io.BytesIO(billing_xlsx(HEADER, lines, pair_totals(lines))))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert any(cell.data_type == "n" and cell.value == -900.0 for cell in cells)
