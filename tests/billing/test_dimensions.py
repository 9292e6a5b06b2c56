"""The city's accounting dimensions at the close: activity codes frozen with the month, the
programmes billed under their organisation's default listed (API, CLI, page), files read back
by finance's readers, and a closed month's bytes that never change when codes change later."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, timezone

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from billing import dimensions, operations
from billing.dimensions import PeriodActivityCode
from billing.files.csv_excel import COLUMNS, DIMENSION_COLUMNS, write_csv
from billing.files.sie4 import write_sie4
from billing.files.xlsx import write_xlsx
from billing.lines import closed_pair_totals, iter_closed_lines
from billing.models import BillingPeriod
from billing.organisation_codes import update_accounting_codes
from catalog.models import Organisation, Programme
from marketplace.auth.policy import Actor
from tests.billing._factories import make_booking, make_programme
from tests.billing.files.sie_reader import read_sie

BASE = "/api/v1/billing/periods"
APRIL = "2026-04-02T09:00:00+02:00"


def _org(db, code: str) -> Organisation:
    return db.execute(select(Organisation).where(Organisation.code == code)).scalar_one()


def _arrange(db, *, own_name: str | None = None):
    """AMF's programme (named `own_name`, if given) has its own code; HV's falls back to HV's
    default; KUF's has neither. RK buys from AMF, ST from HV, SO from KUF."""
    own = make_programme(db, organisation="AMF", **({"name": own_name} if own_name else {}))
    db.get(Programme, own.id).activity_code = "57010"
    fallback = make_programme(db, organisation="HV", price_ore=100_00, price_unit="day")
    missing = make_programme(db, organisation="KUF", price_ore=5_000_00, price_unit="placement")
    _org(db, "KUF").default_activity_code = ""
    db.commit()
    make_booking(db, own, start=date(2026, 3, 17), end=date(2026, 5, 1))
    make_booking(db, fallback, buyer="ST", start=date(2026, 3, 30), end=date(2026, 4, 3))
    make_booking(db, missing, buyer="SO", start=date(2026, 3, 2), end=date(2026, 6, 30))
    return own, fallback, missing


def _download(caller, period="2026-03") -> dict[str, bytes]:
    files = {}
    for fmt in ("csv", "xlsx", "sie"):
        response = caller.get(f"{BASE}/{period}/files/{fmt}")
        assert response.status_code == 200, response.get_data(as_text=True)
        files[fmt] = response.data
    return files


def test_the_close_lists_programmes_without_their_own_code_and_never_fails_for_them(db, api, client, login,
                                                                                    finance_user, frozen_clock):
    frozen_clock(APRIL)
    own, fallback, missing = _arrange(db)
    caller = api(finance_user)
    preview = caller.get(f"{BASE}/2026-03").get_json()
    expected = [
        {"programme_code": fallback.code, "programme_name": fallback.name, "organisation": "HV", "activity_code": "5730"},
        {"programme_code": missing.code, "programme_name": missing.name, "organisation": "KUF", "activity_code": None},
    ]
    assert preview["status"] == "open" and preview["programmes_without_activity_code"] == expected
    login(finance_user)
    month = client.get("/fakturering/2026-03").get_data(as_text=True)
    assert "Insatser utan egen verksamhetskod" in month and fallback.code in month and own.code not in month

    closed = caller.post(f"{BASE}/2026-03/close")
    assert closed.status_code == 200, closed.get_data(as_text=True)
    body = closed.get_json()
    assert body["status"] == "closed" and body["programmes_without_activity_code"] == expected
    assert caller.post(f"{BASE}/2026-03/close").get_json() == body  # closing again answers the same
    assert caller.get(f"{BASE}/2026-03").get_json()["programmes_without_activity_code"] == expected
    page = client.get("/fakturering/2026-03").get_data(as_text=True)
    assert fallback.code in page and missing.code in page and "(organisationens standard)" in page and "Ingen" in page
    stored = db.execute(select(PeriodActivityCode).order_by(PeriodActivityCode.programme_code)).scalars().all()
    assert {(p.programme_code, p.activity_code, p.source) for p in stored} == {
        (own.code, "57010", "programme"), (fallback.code, "5730", "organisation"), (missing.code, "", "missing")}
    assert dimensions.file_layout(db, "2026-03") == dimensions.LAYOUT_WITH_DIMENSIONS


def test_the_month_page_close_says_which_programmes_fell_back(db, client, login, finance_user, frozen_clock):
    frozen_clock(APRIL)
    _own, fallback, _missing = _arrange(db)
    login(finance_user)
    response = client.post("/fakturering/2026-03/stang", follow_redirects=True)
    text_ = response.get_data(as_text=True)
    assert response.status_code == 200 and "2 insatser saknar egen verksamhetskod" in text_ and fallback.code in text_


def test_finance_reads_the_dimensions_in_every_file(db, api, finance_user, frozen_clock):
    frozen_clock(APRIL)
    own, fallback, missing = _arrange(db)
    caller = api(finance_user)
    assert caller.post(f"{BASE}/2026-03/close").status_code == 200
    files = _download(caller)
    expected = {own.code: ("RK", "1100", "3100", "57010"), fallback.code: ("ST", "1200", "1300", "5730"),
                missing.code: ("SO", "1800", "3300", "")}

    rows = list(csv.DictReader(io.StringIO(files["csv"].decode("utf-8-sig"), newline=""), dialect="excel", delimiter=";"))
    assert list(rows[0]) == list(COLUMNS) + list(DIMENSION_COLUMNS)
    assert len(rows) == 3
    for row in rows:
        buyer, buyer_centre, provider_centre, activity = expected[row["programme_code"]]
        assert (row["buyer_code"], row["buyer_account"], row["provider_account"], row["buyer_responsibility"],
                row["provider_responsibility"], row["activity_code"]) == (buyer, "7691", "3691", buyer_centre,
                                                                          provider_centre, activity)

    sheet = load_workbook(io.BytesIO(files["xlsx"]))["Rader"]
    header, *lines = list(sheet.iter_rows(values_only=True))
    assert header[-5:] == ("Konto köpare", "Konto säljare", "Ansvar köpare", "Ansvar säljare", "Verksamhetskod")
    for line in lines:
        _buyer, buyer_centre, provider_centre, activity = expected[line[header.index("Insats")]]
        assert line[-5:] == ("7691", "3691", buyer_centre, provider_centre, activity or None)

    sie = read_sie(files["sie"])  # balances; every object on a #TRANS is declared
    assert sie.dimensions["20"] == "Verksamhet" and {k for k in sie.objects if k[0] == "20"} == {("20", "57010"), ("20", "5730")}
    per_voucher = {v.text.split(" köpare ")[1]: v.transactions for v in sie.vouchers}
    assert all(("20", "57010") in t.objects for t in per_voucher["RK säljare AMF"])
    assert all(("20", "5730") in t.objects for t in per_voucher["ST säljare HV"])
    assert all(t.objects == [("1", t.objects[0][1])] for t in per_voucher["SO säljare KUF"])  # no code: cost centre only


def test_a_closed_months_files_stay_byte_identical_when_codes_change_later(db, engine, api, admin_user, finance_user,
                                                                           settings, frozen_clock):
    frozen_clock(APRIL)
    own, fallback, _missing = _arrange(db)
    caller = api(finance_user)
    closed = caller.post(f"{BASE}/2026-03/close").get_json()
    before = _download(caller)
    assert {f["format"]: f["sha256"] for f in closed["files"]} == {k: hashlib.sha256(v).hexdigest() for k, v in before.items()}

    # Every code the files carry changes: programme codes, organisation defaults, ansvar, accounts, names.
    db.get(Programme, own.id).activity_code = "99999"
    db.get(Programme, fallback.id).activity_code = "12345"
    db.get(Programme, fallback.id).name = "Nytt namn"
    _org(db, "HV").default_activity_code = "111"
    db.commit()
    admin = Actor(admin_user.id, admin_user.name, admin_user.email, admin_user.organisation_id, "AMF",
                  frozenset({"admin"}), "Arbetsmarknadsförvaltningen")
    for code in ("RK", "AMF", "HV"):
        update_accounting_codes(db, _org(db, code), cost_centre="9" + code, cost_account="7000", revenue_account="3000",
                                default_activity_code="4444", actor=admin, now=datetime.now(timezone.utc))
    db.commit()

    for path in (settings.instance_path / "billing" / "2026-03").iterdir():
        path.unlink()  # made again from the rows on the next download
    assert _download(caller) == before
    assert caller.get(f"{BASE}/2026-03").get_json()["programmes_without_activity_code"][0]["activity_code"] == "5730"
    # The next month is booked under the codes in force at its close.
    frozen_clock("2026-05-02T09:00:00+02:00")
    caller = api(finance_user)  # a new token: the clock moved a month
    april = caller.post(f"{BASE}/2026-04/close").get_json()
    assert april["programmes_without_activity_code"] == []  # both now have codes of their own
    rows = list(csv.DictReader(io.StringIO(_download(caller, "2026-04")["csv"].decode("utf-8-sig"), newline=""),
                               dialect="excel", delimiter=";"))
    assert {(r["programme_code"], r["activity_code"], r["buyer_account"]) for r in rows} >= {(own.code, "99999", "7000")}


def test_a_month_closed_before_the_dimensions_keeps_its_old_layout_byte_for_byte(db, engine, api, finance_user,
                                                                               frozen_clock, monkeypatch):
    frozen_clock(APRIL)
    _arrange(db)
    # A close as the service made it before the dimensions existed: no snapshot, layout 1.
    monkeypatch.setattr(dimensions, "CURRENT_LAYOUT", dimensions.LAYOUT_WITHOUT_DIMENSIONS)
    monkeypatch.setattr(dimensions, "freeze", lambda *_args: [])
    caller = api(finance_user)
    assert caller.post(f"{BASE}/2026-03/close").status_code == 200
    monkeypatch.undo()
    files = _download(caller)
    with Session(engine) as session:
        row = session.get(BillingPeriod, "2026-03")
        lines = list(iter_closed_lines(session, "2026-03"))
        totals = closed_pair_totals(session, "2026-03")
        layout = dimensions.file_layout(session, "2026-03")
    from billing.files import FileHeader

    header = FileHeader("2026-03", row.closed_at)
    assert layout == dimensions.LAYOUT_WITHOUT_DIMENSIONS
    assert files == {"csv": write_csv(header, lines), "xlsx": write_xlsx(header, lines, totals),
                     "sie": write_sie4(header, lines)}
    assert files["csv"].decode("utf-8-sig").split("\r\n")[0] == ";".join(COLUMNS)
    assert b"#DIM 20" not in files["sie"]
    assert caller.get(f"{BASE}/2026-03").get_json()["programmes_without_activity_code"] == []


def test_the_frozen_codes_cannot_be_changed_or_removed(db, api, finance_user, frozen_clock, engine):
    frozen_clock(APRIL)
    _arrange(db)
    assert api(finance_user).post(f"{BASE}/2026-03/close").status_code == 200
    for statement in ("UPDATE period_activity_code SET activity_code = '1234'", "DELETE FROM period_activity_code",
                      "UPDATE period_file_layout SET layout = 1", "DELETE FROM period_file_layout"):
        with Session(engine) as session, pytest.raises(DBAPIError):
            session.execute(text(statement))
            session.commit()
    with Session(engine) as session:
        row = session.execute(select(PeriodActivityCode)).scalars().first()
        row.activity_code = "1234"
        with pytest.raises(Exception, match="immutable"):
            session.flush()


def test_the_cli_close_names_the_programmes_to_fix(app, db, frozen_clock):
    frozen_clock(APRIL)
    _own, fallback, missing = _arrange(db)
    from flask.cli import ScriptInfo

    from marketplace.cli import main

    with app.app_context():
        result = CliRunner().invoke(main, ["billing", "close", "2026-03"], obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    assert "without an activity code of their own" in result.output
    assert f"{fallback.code} {fallback.name} (HV): organisation default 5730" in result.output
    assert f"{missing.code} {missing.name} (KUF): no activity code" in result.output
