import csv
import io
import re
import xml.etree.ElementTree as ElementTree

from openpyxl import load_workbook

from tests.marketplace.stats import _dataset

QUERY = "from=2026-01-01&to=2026-06-30"


def test_the_statistics_page_draws_well_formed_svg_charts_each_with_a_table(client, login, db, staff_user):
    _dataset.build(db, staff_user)
    login(staff_user)
    response = client.get(f"/statistik?{QUERY}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    assert len(svgs) == 4
    for svg in svgs:
        root = ElementTree.fromstring(svg)
        assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title") is not None
        after = html[html.index(svg) + len(svg):]
        assert after.lstrip().startswith('<div class="table-scroll">')
    assert "Snickeriet" in html and "Deltagare" not in html


def test_bad_periods_get_a_swedish_error_and_status_422(client, login, db, staff_user):
    login(staff_user)
    response = client.get("/statistik?from=2026-06-30&to=2026-01-01&organisation=XX")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Slutdatum kan inte vara före startdatum." in html and "Okänd organisation." in html
    assert client.get("/statistik?from=igår").status_code == 422


def test_csv_export_reads_back_with_semicolons_bom_and_decimal_comma(client, login, db, staff_user):
    _dataset.build(db, staff_user)
    login(staff_user)
    response = client.get(f"/statistik/export.csv?{QUERY}&table=money")
    raw = response.get_data()
    assert response.status_code == 200 and raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Månad", "Köpt", "Sålt"] and rows[1] == ["2026-01", "18000,00", "18000,00"]
    programme = list(csv.reader(io.StringIO(client.get(f"/statistik/export.csv?{QUERY}&table=programme")
                                            .get_data().decode("utf-8-sig")), delimiter=";"))
    assert programme[1][:5] == ["Snickeriet", "..", "..", "0", "8"]


def test_xlsx_export_has_one_sheet_per_table_and_reads_back(client, login, db, staff_user):
    _dataset.build(db, staff_user)
    login(staff_user)
    response = client.get(f"/statistik/export.xlsx?{QUERY}&organisation=RK")
    book = load_workbook(io.BytesIO(response.get_data()))
    assert len(book.sheetnames) == 11
    money = book["Köpt och sålt per månad (kr)"]
    assert [c.value for c in money[2]] == ["Månad", "Köpt", "Sålt"]
    assert [c.value for c in money[3]] == ["2026-01", 18000.0, 0]


def test_the_api_returns_the_same_figures_and_422_for_bad_input(api, db, staff_user):
    _dataset.build(db, staff_user)
    caller = api(staff_user)
    body = caller.get(f"/api/v1/statistics?{QUERY}").get_json()
    assert body["period"] == {"from": "2026-01-01", "to": "2026-06-30"} and body["organisation"] is None
    assert body["summary"]["placements_started"] == 14 and body["summary"]["waitlist_at_end"] is None
    programme = next(t for t in body["tables"] if t["key"] == "programme")
    assert programme["rows"][0]["group"] == "Snickeriet" and programme["rows"][0]["studies"] is None
    bad = caller.get("/api/v1/statistics?from=2026-06-30&to=2026-01-01")
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "to"
    assert caller.get("/api/v1/statistics?organisation=NOPE").status_code == 422
    assert caller.get("/api/v1/statistics?from=not-a-date").status_code == 422
    assert api().get("/api/v1/statistics").status_code == 401


def test_the_national_file_is_for_finance_and_reads_back(client, login, db, staff_user, finance_user):
    _dataset.build(db, staff_user)
    login(staff_user)
    assert client.get("/statistik/nationell.csv?year=2026").status_code == 403
    client.post("/logga-ut")
    login(finance_user)
    response = client.get("/statistik/nationell.csv?year=2026")
    assert response.status_code == 200, response.headers.get("Location")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["ar", "kommunkod", "insatstyp"]
    assert rows[1] == ["2026", "0180", "ARBETSTRANING", rows[1][3], "ARBETE", rows[1][5], "6", "6"]
    assert client.get("/statistik/nationell.csv?year=abc").status_code == 422


def test_an_organisation_sees_what_it_bought_and_sold(api, db, staff_user):
    _dataset.build(db, staff_user)
    caller = api(staff_user)
    rk = caller.get(f"/api/v1/statistics?{QUERY}&organisation=rk").get_json()
    assert rk["organisation"] == "RK"
    assert (rk["summary"]["money_bought"], rk["summary"]["money_sold"]) == ("24000.00", "0.00")
    assert rk["summary"]["placements_started"] == 8
    amf = caller.get(f"/api/v1/statistics?{QUERY}&organisation=AMF").get_json()
    assert (amf["summary"]["money_bought"], amf["summary"]["money_sold"]) == ("0.00", "30000.00")
    assert [row["programme"] for row in next(t for t in amf["tables"] if t["key"] == "occupancy")["rows"]] == ["Snickeriet"]


def test_statistics_need_a_signed_in_user(client):
    assert client.get("/statistik").status_code == 302
    assert client.get("/statistik/export.xlsx").status_code == 302


HOSTILE = '<meta http-equiv="refresh" content="0;url=https://evil.example">Rehab 100%'


def _hostile_programme(db, requester, name):
    from datetime import date

    from tests.marketplace.followups._factories import make_booking, make_programme

    programme = make_programme(db, organisation="AMF", name=name, category="carpentry", capacity=3, price_ore=300_000,
                               price_unit="month", target_groups=("young_adults",))
    make_booking(db, programme, requester, buyer="RK", status="ended", start=date(2026, 1, 1), end=date(2026, 1, 31),
                 outcome="work")


def test_a_programme_name_with_markup_and_a_percent_sign_is_shown_as_text(client, login, db, staff_user):
    _hostile_programme(db, staff_user, HOSTILE)
    login(staff_user)
    for language in ("sv", "en"):
        client.post(f"/sprak/{language}")
        response = client.get(f"/statistik?{QUERY}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200, html[:500]
        assert "<meta http-equiv" not in html
        assert "&lt;meta http-equiv=&#34;refresh&#34; content=&#34;0;url=https://evil.example&#34;&gt;Rehab 100%" in html


def test_statistics_files_never_hold_a_live_formula_but_keep_numbers(client, login, db, staff_user):
    _hostile_programme(db, staff_user, '=HYPERLINK("https://evil.example";"klicka")')
    login(staff_user)
    rows = list(csv.reader(io.StringIO(client.get(f"/statistik/export.csv?{QUERY}&table=occupancy")
                                       .get_data().decode("utf-8-sig")), dialect="excel", delimiter=";"))
    assert rows[1][0] == "'=HYPERLINK(\"https://evil.example\";\"klicka\")"
    assert rows[1][2] == "3"
    book = load_workbook(io.BytesIO(client.get(f"/statistik/export.xlsx?{QUERY}").get_data()))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    names = [cell for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert names and all(cell.data_type == "s" for cell in names)
    assert not [cell for cell in cells if cell.data_type == "f"]
    assert any(cell.data_type == "n" and cell.value == 3 for cell in cells)  # the capacity is still a number


def test_periods_at_the_edges_of_the_calendar_are_422_on_the_api_pages_and_files(client, login, api, db, staff_user):
    caller = api(staff_user)
    login(staff_user)
    for query in ("from=0001-01-01&to=0001-12-31", "from=0001-01-01", "to=0001-01-05", "from=9999-12-31&to=9999-12-31",
                  "from=9999-01-01", "from=9990-01-01", "from=1999-12-31&to=2000-01-02", "to=2100-01-01"):
        answer = caller.get(f"/api/v1/statistics?{query}")
        assert answer.status_code == 422, (query, answer.get_data()[:200])
        assert answer.mimetype == "application/problem+json"
        page = client.get(f"/statistik?{query}")
        assert page.status_code == 422, query
        assert "Ange ett datum mellan 2000-01-01 och 2099-12-31." in page.get_data(as_text=True) \
            or "Slutdatum kan inte vara före startdatum." in page.get_data(as_text=True), query
        for fmt in ("csv", "xlsx"):
            assert client.get(f"/statistik/export.{fmt}?{query}").status_code == 422, (query, fmt)
    assert caller.get("/api/v1/statistics?from=2000-01-01&to=2000-12-31").status_code == 200
