"""An organisation's statement files carry the month file's accounting dimension columns with
the month file's values for the same lines: a closed month's as its close froze them (also after
every code changed), an open month's as closing it now would write them; a month closed before
the dimensions has neither."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from billing import dimensions
from billing.files.csv_excel import COLUMNS, DIMENSION_COLUMNS
from billing.files.xlsx import DIMENSION_HEADERS
from catalog.models import Programme
from tests.billing.test_dimensions import _arrange as arrange_dimensions
from tests.billing.test_dimensions import _org

BASE = "/api/v1/billing/periods"
APRIL = "2026-04-02T09:00:00+02:00"
ORGANISATIONS = ("RK", "AMF", "HV", "KUF", "ST", "SO")


def _arrange(db):
    """As the month files' tests arrange it, with a name for AMF's programme that looks like a formula."""
    return arrange_dimensions(db, own_name="=HYPERLINK(\"http://x\")")


def _csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), dialect="excel", delimiter=";"))


def _xlsx(data: bytes) -> tuple[tuple, list[tuple]]:
    header, *rows = list(load_workbook(io.BytesIO(data))["Rader"].iter_rows(values_only=True))
    return header, rows


def _line_key(row: dict) -> tuple:
    return row["booking_ref"], row["from_date"], row["correction_of"]


def _month_csv_cells(caller, period: str) -> dict[tuple, tuple]:
    response = caller.get(f"{BASE}/{period}/files/csv")
    assert response.status_code == 200, response.get_data(as_text=True)
    return {_line_key(row): tuple(row[c] for c in DIMENSION_COLUMNS) for row in _csv(response.data)}


def _month_xlsx_cells(caller, period: str) -> dict[tuple, tuple]:
    header, rows = _xlsx(caller.get(f"{BASE}/{period}/files/xlsx").data)
    at = header.index("Bokning"), header.index("Från")
    return {(row[at[0]], row[at[1]]): row[-5:] for row in rows}


def _statement(caller, period: str, code: str, fmt: str) -> bytes:
    response = caller.get(f"{BASE}/{period}/statements/{code}?format={fmt}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.data


def _statement_csv_cells(caller, period: str) -> dict[tuple, tuple]:
    """Every organisation's statement lines (each line appears for its buyer and its seller)."""
    cells: dict[tuple, set] = {}
    for code in ORGANISATIONS:
        rows = _csv(_statement(caller, period, code, "csv"))
        for row in rows:
            assert list(row) == list(COLUMNS) + list(DIMENSION_COLUMNS)
            cells.setdefault(_line_key(row), set()).add(tuple(row[c] for c in DIMENSION_COLUMNS))
    assert all(len(found) == 1 for found in cells.values()), cells  # buyer's and seller's files agree
    return {key: found.pop() for key, found in cells.items()}


def _statement_xlsx_cells(caller, period: str) -> dict[tuple, tuple]:
    cells = {}
    for code in ORGANISATIONS:
        header, rows = _xlsx(_statement(caller, period, code, "xlsx"))
        assert header[-5:] == DIMENSION_HEADERS
        at = header.index("Bokning"), header.index("Från")
        cells.update({(row[at[0]], row[at[1]]): row[-5:] for row in rows})
    return cells


EXPECTED = {"57010": ("7691", "3691", "1100", "3100", "57010"), "5730": ("7691", "3691", "1200", "1300", "5730"),
            "": ("7691", "3691", "1800", "3300", "")}


def test_a_closed_months_statements_carry_the_month_files_dimension_cells_also_after_codes_change(
        db, api, finance_user, frozen_clock):
    frozen_clock(APRIL)
    own, fallback, _missing = _arrange(db)
    caller = api(finance_user)
    assert caller.post(f"{BASE}/2026-03/close").status_code == 200
    month_csv, month_xlsx = _month_csv_cells(caller, "2026-03"), _month_xlsx_cells(caller, "2026-03")
    assert sorted(month_csv.values()) == sorted(EXPECTED.values())
    assert _statement_csv_cells(caller, "2026-03") == month_csv
    assert _statement_xlsx_cells(caller, "2026-03") == month_xlsx

    # Every code changes after the close: the statement keeps what the month froze.
    db.get(Programme, own.id).activity_code = "99999"
    db.get(Programme, fallback.id).activity_code = "12345"
    _org(db, "KUF").default_activity_code = "4444"
    db.commit()
    assert _statement_csv_cells(caller, "2026-03") == month_csv
    assert _statement_xlsx_cells(caller, "2026-03") == month_xlsx
    assert _csv(_statement(caller, "2026-03", "AMF", "csv"))[0]["programme_name"].startswith("'=HYPERLINK")


def test_an_open_months_statements_carry_what_its_close_will_write(db, api, finance_user, frozen_clock):
    frozen_clock(APRIL)
    own, fallback, missing = _arrange(db)
    caller = api(finance_user)
    preview_csv, preview_xlsx = _statement_csv_cells(caller, "2026-03"), _statement_xlsx_cells(caller, "2026-03")
    assert sorted(preview_csv.values()) == sorted(EXPECTED.values())
    by_programme = {row["programme_code"]: row["activity_code"]
                    for code in ("AMF", "HV", "KUF") for row in _csv(_statement(caller, "2026-03", code, "csv"))}
    assert by_programme == {own.code: "57010", fallback.code: "5730", missing.code: ""}

    assert caller.post(f"{BASE}/2026-03/close").status_code == 200
    assert _month_csv_cells(caller, "2026-03") == preview_csv
    assert _month_xlsx_cells(caller, "2026-03") == preview_xlsx

    # April is open: its preview follows today's codes (HV's programme now has its own; KUF's
    # placement was billed in March only), and closing it writes exactly those.
    db.get(Programme, fallback.id).activity_code = "12345"
    db.commit()
    april = _statement_csv_cells(caller, "2026-04")
    assert {cells[-1] for cells in april.values()} == {"57010", "12345"}
    frozen_clock("2026-05-02T09:00:00+02:00")
    caller = api(finance_user)
    assert caller.post(f"{BASE}/2026-04/close").status_code == 200
    assert _month_csv_cells(caller, "2026-04") == april == _statement_csv_cells(caller, "2026-04")


def test_a_month_closed_before_the_dimensions_has_statements_without_them(db, api, finance_user, frozen_clock,
                                                                         monkeypatch):
    frozen_clock(APRIL)
    _arrange(db)
    monkeypatch.setattr(dimensions, "CURRENT_LAYOUT", dimensions.LAYOUT_WITHOUT_DIMENSIONS)
    monkeypatch.setattr(dimensions, "freeze", lambda *_args: [])
    caller = api(finance_user)
    assert caller.post(f"{BASE}/2026-03/close").status_code == 200
    monkeypatch.undo()
    month = caller.get(f"{BASE}/2026-03/files/csv").data.decode("utf-8-sig").split("\r\n")[0]
    statement = _statement(caller, "2026-03", "RK", "csv").decode("utf-8-sig").split("\r\n")[0]
    assert statement == month == ";".join(COLUMNS)
    header, _rows = _xlsx(_statement(caller, "2026-03", "RK", "xlsx"))
    assert header[-1] == "Regel"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_district_pages_statement_download_has_the_same_cells(db, api, client, login, finance_user, frozen_clock,
                                                                  fmt):
    frozen_clock(APRIL)
    _arrange(db)
    caller = api(finance_user)
    assert caller.post(f"{BASE}/2026-03/close").status_code == 200
    page = login(finance_user).get(f"/fakturering/2026-03/sammanstallning/RK/{fmt}")
    assert page.status_code == 200
    assert page.data == _statement(caller, "2026-03", "RK", fmt)
    if fmt == "csv":
        assert list(_csv(page.data)[0])[-5:] == list(DIMENSION_COLUMNS)
    else:
        assert _xlsx(page.data)[0][-5:] == DIMENSION_HEADERS
