from datetime import date

from sqlalchemy import select

from billing.models import BillingPeriod
from catalog.models import Organisation
from marketplace.audit.models import AuditLog
from marketplace.bookings.models import Booking
from tests.billing._factories import make_booking, make_programme


def _arrange(db):
    return make_booking(db, make_programme(db), start=date(2026, 3, 17), end=date(2026, 5, 1),
                        participant_name="Zlatan Hemligsson")


def test_finance_sees_months_with_their_status(db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    login(finance_user)
    page = client.get("/fakturering").get_data(as_text=True)
    assert "2026-03" in page and "Att stänga" in page and "2026-04" in page


def test_the_month_page_shows_the_matrix_and_drills_down_to_lines_without_names(db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    booking = _arrange(db)
    login(finance_user)
    page = client.get("/fakturering/2026-03").get_data(as_text=True)
    assert "2\u00a0177,42\u00a0kr" in page and "kopare=RK" in page and "saljare=AMF" in page
    assert booking.ref not in page  # only totals until a cell is chosen
    lines = client.get("/fakturering/2026-03?kopare=RK&saljare=AMF").get_data(as_text=True)
    assert booking.ref in lines and "månad: 4\xa0500,00\xa0kr × 15/31 dagar" in lines
    assert "Hemligsson" not in page + lines


def test_finance_closes_a_month_in_one_click_and_downloads_files_with_their_checksums(db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    _arrange(db)
    login(finance_user)
    page = client.get("/fakturering/2026-03").get_data(as_text=True)
    assert 'data-confirm="Stänga 2026-03?' in page
    response = client.post("/fakturering/2026-03/stang", follow_redirects=True)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "är stängd" in text
    assert db.get(BillingPeriod, "2026-03").status == "closed"
    closed = client.get("/fakturering/2026-03").get_data(as_text=True)
    for fmt in ("csv", "xlsx", "sie"):
        download = client.get(f"/fakturering/2026-03/filer/{fmt}")
        assert download.status_code == 200
        assert download.headers["X-Content-SHA256"] in closed
    assert client.get("/fakturering/2026-03/filer/pdf").status_code == 404


def test_closing_an_unfinished_month_from_the_page_says_why(db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-03-20T09:00:00+01:00")
    login(finance_user)
    text = client.post("/fakturering/2026-03/stang", follow_redirects=True).get_data(as_text=True)
    assert "inte slut" in text
    assert db.get(BillingPeriod, "2026-03") is None


def test_pages_refuse_roles_other_than_finance_and_admin(db, client, login, staff_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    login(staff_user)
    assert client.get("/fakturering").status_code == 403
    assert client.post("/fakturering/2026-03/stang").status_code == 403
    assert client.get("/admin/organisationer").status_code == 403


def test_a_bad_period_in_the_address_is_not_found(client, login, finance_user):
    login(finance_user)
    assert client.get("/fakturering/2026-13").status_code == 404


def test_the_ledger_shows_what_an_organisation_bought_and_sold(db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    booking = _arrange(db)
    login(finance_user)
    bought = client.get("/fakturering/reskontra?organisation=RK&period=2026-03").get_data(as_text=True)
    sold = client.get("/fakturering/reskontra?organisation=AMF&period=2026-03").get_data(as_text=True)
    assert booking.ref in bought and "Ingen försäljning" in bought
    assert booking.ref in sold and "Inga köp" in sold
    assert client.get("/fakturering/reskontra?organisation=RK&period=bad").status_code == 200


def test_finance_corrects_a_price_from_the_bookings_billing_page(db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    booking = _arrange(db)
    login(finance_user)
    page = client.get(f"/fakturering/bokning/{booking.ref}").get_data(as_text=True)
    assert "Hemligsson" not in page and "Rätta priset" in page
    bad = client.post(f"/fakturering/bokning/{booking.ref}", data={"price": "fyra tusen", "reason": "Avtal"})
    assert bad.status_code == 422 and "högst två decimaler" in bad.get_data(as_text=True)
    assert client.post(f"/fakturering/bokning/{booking.ref}", data={"price": "4 000,00", "reason": ""}).status_code == 422
    ok = client.post(f"/fakturering/bokning/{booking.ref}", data={"price": "4 000,00", "reason": "Avtal"})
    assert ok.status_code == 302
    db.expire_all()
    assert db.get(Booking, booking.id).price_ore == 400_000
    assert client.get("/fakturering/bokning/NOPE").status_code == 404


def test_admin_edits_accounting_codes_and_bad_codes_get_swedish_errors(db, client, login, admin_user):
    login(admin_user)
    assert "3691" in client.get("/admin/organisationer").get_data(as_text=True)
    bad = client.post("/admin/organisationer/RK", data={"cost_centre": "11 00", "cost_account": "76A1", "revenue_account": ""})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "4–6 siffror" in text and "Ange intäktskonto" in text
    rk = db.execute(select(Organisation).where(Organisation.code == "RK")).scalar_one()
    db.refresh(rk)
    assert rk.cost_account == "7691"
    ok = client.post("/admin/organisationer/RK", data={"cost_centre": "1101", "cost_account": "7692", "revenue_account": "3692",
                                                       "default_activity_code": "5731"})
    assert ok.status_code == 302
    db.commit()  # end the read snapshot
    db.refresh(rk)
    assert (rk.cost_centre, rk.cost_account, rk.revenue_account) == ("1101", "7692", "3692")
    assert db.execute(select(AuditLog).where(AuditLog.action == "organisation.update_accounts")).scalar_one().object_id == "RK"
    assert client.get("/admin/organisationer/NOPE").status_code == 404


def test_finance_start_page_lists_months_to_close(db, client, login, finance_user, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    login(finance_user)
    page = client.get("/").get_data(as_text=True)
    assert "Månader att stänga" in page and "/fakturering/2026-03" in page
