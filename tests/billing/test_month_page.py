"""The month page at national scale: totals from aggregates (closed) or priced without building
lines (open), lists a page at a time, and every figure what closing writes."""

import random
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from billing import views
from billing.lines import closed_pair_totals, pair_totals
from billing.month_close import compute_lines, compute_pair_lines, preview_pair_totals
from tests.billing._factories import change_booking, make_booking, make_programme, org_id

APRIL = "2026-04-02T09:00:00+02:00"


def _at(period: str, day: int = 3) -> datetime:
    year, month = map(int, period.split("-"))
    month += 1
    if month == 13:
        year, month = year + 1, 1
    return datetime(year, month, day, 8, 0, tzinfo=timezone.utc)


def _three_buyers(db):
    """RK buys from AMF and HV, ST from AMF, SO from KUF: three buyers, three providers."""
    amf, hv = make_programme(db, organisation="AMF"), make_programme(db, organisation="HV", price_ore=100_00, price_unit="day")
    kuf = make_programme(db, organisation="KUF", price_ore=1_000_00, price_unit="placement")
    make_booking(db, amf, buyer="RK", start=date(2026, 3, 17), end=date(2026, 5, 1))
    make_booking(db, amf, buyer="RK", start=date(2026, 3, 1), end=date(2026, 3, 31))
    make_booking(db, hv, buyer="RK", start=date(2026, 3, 30), end=date(2026, 4, 3))
    make_booking(db, amf, buyer="ST", start=date(2026, 2, 1), end=date(2026, 3, 10))
    make_booking(db, kuf, buyer="SO", start=date(2026, 3, 5), end=date(2026, 6, 5))


def _rows(page: str) -> list[str]:
    """The codes heading the rows of the organisation table."""
    table = page.split('class="table billing-orgs"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]*">([A-Z]+)</a>', table)


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_the_buyer_list_pages_through_every_buyer_and_keeps_the_month_total(db, client, login, finance_user,
                                                                            frozen_clock, closed):
    frozen_clock(APRIL)
    _three_buyers(db)
    login(finance_user)
    if closed:
        assert client.post("/fakturering/2026-03/stang").status_code == 302
    pages = [client.get(f"/fakturering/2026-03?per=kopare&per_page=2&page={n}").get_data(as_text=True) for n in (1, 2)]
    assert _rows(pages[0]) == ["RK", "SO"] and _rows(pages[1]) == ["ST"]
    first, second = pages
    assert 'rel="next"' in first and "Sida 1 av 2" in first and 'rel="prev"' in second and "Sida 2 av 2" in second
    facts = [re.search(r'<dl class="facts">.*?</dl>', p, re.S).group(0) for p in pages]
    assert facts[0] == facts[1] and "<dd>5</dd>" in facts[0]  # lines: the same month figures on every page
    # A page past the end shows the last page; a page that is not a number shows the first.
    assert _rows(client.get("/fakturering/2026-03?per=kopare&per_page=2&page=99").get_data(as_text=True)) == ["ST"]
    assert _rows(client.get("/fakturering/2026-03?per=kopare&per_page=2&page=x").get_data(as_text=True)) == ["RK", "SO"]
    assert client.get("/fakturering/2026-03?per=kopare&page=-5&per_page=0").status_code == 200
    providers = client.get("/fakturering/2026-03?per=saljare").get_data(as_text=True)
    assert _rows(providers) == ["AMF", "HV", "KUF"]


@pytest.mark.parametrize("closed", [False, True], ids=["open", "closed"])
def test_drilling_down_filters_to_one_buyer_one_provider_and_one_pair(db, client, login, finance_user, frozen_clock, closed):
    frozen_clock(APRIL)
    _three_buyers(db)
    login(finance_user)
    if closed:
        client.post("/fakturering/2026-03/stang")
    buyer = client.get("/fakturering/2026-03?kopare=RK").get_data(as_text=True)
    assert _rows(buyer) == ["AMF", "HV"] and "kopare=RK&amp;saljare=AMF" in buyer
    assert "3 organisationer" not in buyer and "2 organisationer, 3 rader" in buyer
    provider = client.get("/fakturering/2026-03?saljare=AMF").get_data(as_text=True)
    assert _rows(provider) == ["RK", "ST"]
    first = client.get("/fakturering/2026-03?kopare=RK&saljare=AMF&per_page=1&page=1").get_data(as_text=True)
    second = client.get("/fakturering/2026-03?kopare=RK&saljare=AMF&per_page=1&page=2").get_data(as_text=True)
    refs = [set(re.findall(r"B-2026-\d+", page.split("billing-lines", 1)[1].split("</table>", 1)[0])) for page in (first, second)]
    assert len(refs[0]) == len(refs[1]) == 1 and refs[0] != refs[1]
    assert "2 rader, totalt 6\N{NO-BREAK SPACE}677,42\N{NO-BREAK SPACE}kr" in first and "sida 2 av 2" in second
    assert "Inga rader" in client.get("/fakturering/2026-03?kopare=NOPE&saljare=AMF").get_data(as_text=True)
    assert client.get("/fakturering/2026-03?kopare=NOPE").status_code == 200


def test_a_wide_month_lists_buyers_instead_of_the_matrix(db, client, login, finance_user, frozen_clock, monkeypatch):
    frozen_clock(APRIL)
    _three_buyers(db)
    login(finance_user)
    assert "billing-matrix" in client.get("/fakturering/2026-03").get_data(as_text=True)
    monkeypatch.setattr("billing.queries.MATRIX_LIMIT", 2)
    page = client.get("/fakturering/2026-03").get_data(as_text=True)
    assert "billing-matrix" not in page and _rows(page) == ["RK", "SO", "ST"]


def test_the_ledger_pages_each_list_on_its_own(db, client, login, finance_user, frozen_clock, monkeypatch):
    frozen_clock(APRIL)
    _three_buyers(db)
    monkeypatch.setattr(views, "LINES_PER_PAGE", 1)
    login(finance_user)
    first = client.get("/fakturering/reskontra?organisation=RK&period=2026-03").get_data(as_text=True)
    second = client.get("/fakturering/reskontra?organisation=RK&period=2026-03&sida_kopt=2").get_data(as_text=True)
    assert "3 rader, totalt 6\N{NO-BREAK SPACE}877,42\N{NO-BREAK SPACE}kr" in first and 'aria-label="Sidor med köp"' in first
    assert first.split('id="bought"')[1] != second.split('id="bought"')[1]
    assert "sida 2 av 3" in second and "Köpt</dt><dd>6\N{NO-BREAK SPACE}877,42" in second.replace("\n", "").replace("  ", "")


def test_the_open_month_totals_and_one_organisations_lines_are_what_closing_writes(db, close):
    """Random bookings of every unit, partial months, earlier placements, own-organisation and
    unbillable ones, and changes after closes (corrections): at every month, before closing,
    the preview's pair totals and each organisation's lines equal the full computation, and
    after closing they equal the stored lines."""
    rng = random.Random(9)
    programmes = [make_programme(db, organisation=o, price_ore=p, price_unit=u)
                  for o, p, u in (("AMF", 450_001, "month"), ("HV", 333_33, "day"), ("KUF", 1_000_00, "placement"),
                                  ("RK", 12_345, "month"))]
    statuses = ["approved", "active", "ended", "approved", "requested", "cancelled", "rejected"]
    bookings = []
    for _ in range(40):
        start = date(2026, 1, 1) + timedelta(days=rng.randrange(0, 90))
        bookings.append(make_booking(db, rng.choice(programmes), buyer=rng.choice(["RK", "ST", "SO", "AMF"]),
                                     status=rng.choice(statuses), start=start,
                                     end=start + timedelta(days=rng.randrange(0, 100))))
    orgs = {code: org_id(db, code) for code in ("RK", "ST", "SO", "AMF", "HV", "KUF")}
    for index, period in enumerate(["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]):
        every = list(compute_lines(db, period))
        assert preview_pair_totals(db, period) == pair_totals(sorted(every, key=lambda l: l.sort_key))
        for code, oid in orgs.items():
            assert sorted(compute_pair_lines(db, period, buyer_id=oid)) == sorted(l for l in every if l.buyer_code == code)
            assert sorted(compute_pair_lines(db, period, provider_id=oid)) == sorted(l for l in every if l.provider_code == code)
        preview = preview_pair_totals(db, period)
        db.rollback()
        close(period, _at(period))
        assert closed_pair_totals(db, period) == preview
        for booking in rng.sample(bookings, 6):
            values = rng.choice([{"end_date": booking.end_date - timedelta(days=rng.randrange(1, 20))},
                                 {"status": "cancelled"}, {"price_ore": rng.randrange(0, 900_000)}, {"status": "active"}])
            if values.get("end_date") is not None and values["end_date"] < booking.start_date:
                values["end_date"] = booking.start_date
            booking = change_booking(db, booking, at=_at(period, 10 + index), **values)
    assert any(l.kind == "correction" for l in compute_lines(db, "2026-06"))


def test_the_organisations_admin_page_is_paged(db, client, login, admin_user):
    login(admin_user)
    first = client.get("/admin/organisationer?per_page=5").get_data(as_text=True)
    last = client.get("/admin/organisationer?per_page=5&page=999").get_data(as_text=True)
    codes = [re.findall(r'<th scope="row">(\w+)</th>', page) for page in (first, last)]
    assert len(codes[0]) == 5 and codes[0] == sorted(codes[0]) and 'rel="next"' in first
    assert codes[1] and not set(codes[0]) & set(codes[1]) and 'rel="next"' not in last and 'rel="prev"' in last
