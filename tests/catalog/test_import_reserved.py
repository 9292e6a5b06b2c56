"""The CSV import's reserved-places column: `young_adults:2, org:RK:1`, checked as the API checks
`reserved`; a bad cell names its row and column, and nothing of the file is imported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from catalog.errors import ImportRejected
from catalog.importer import template_csv
from catalog.models import Programme, ProgrammeChange, ProgrammeReservation
from catalog.reservations import reservations_of
from tests.catalog.test_importer import _csv, _import

HEADER = "code;name;category;capacity;price;price_unit;reserverade_platser"
GOOD = "AMF-OK;Bra rad;painting;4;4500;månad;young_adults:1"


def _rejected(db, *cells: str, header: str = HEADER) -> list[tuple[int, str, str]]:
    """The errors of a file whose first row is good and whose next rows carry these cells."""
    rows = [GOOD] + [f"AMF-{number};Rad;painting;3;4500;månad;{cell}" for number, cell in enumerate(cells, start=2)]
    with pytest.raises(ImportRejected) as caught:
        _import(db, _csv(*rows, header=header))
    db.rollback()
    assert db.execute(select(func.count()).select_from(Programme)).scalar_one() == 0
    assert db.execute(select(func.count()).select_from(ProgrammeReservation)).scalar_one() == 0
    return caught.value.row_errors


def test_reserved_places_are_imported_for_a_target_group_and_a_buying_organisation(db):
    created = _import(db, _csv("AMF-1;Måleriet;painting;4;4500;månad; young_adults : 2 | org:rk:1",
                               "AMF-2;Utan;painting;4;4500;månad;", header=HEADER))
    first, second = created
    assert first.reserved_places == 3 and second.reserved_places == 0
    assert reservations_of(db, [first.id, second.id]) == {first.id: [
        {"target_group": "young_adults", "places": 2}, {"organisation": "RK", "places": 1}]}
    changes = db.execute(select(ProgrammeChange.changes).where(ProgrammeChange.programme_id == first.id)).scalars().all()
    assert any("reserved_places" in change for change in changes)  # the change log shows them, as for the API


def test_the_english_column_name_is_read_too(db):
    (programme,) = _import(db, _csv("AMF-1;Måleriet;painting;2;4500;månad;org:ST:2",
                                    header=HEADER.replace("reserverade_platser", "reserved")))
    assert reservations_of(db, [programme.id])[programme.id] == [{"organisation": "ST", "places": 2}]


def test_the_api_rules_are_errors_naming_row_and_column(db):
    errors = _rejected(db, "no_such_group:1", "org:NOPE:1", "young_adults:2, young_adults:1", "young_adults:4",
                       "young_adults:0", "young_adults:-2", "RK:1")
    by_row = {row: (column, message) for row, column, message in errors}
    assert {column for _row, column, _message in errors} == {"reserverade_platser"}
    assert set(by_row) == {3, 4, 5, 6, 7, 8, 9}  # row 2, the good one, is not imported either
    assert by_row[3][1] == "Reservation 1: okänd målgrupp no_such_group."
    assert by_row[4][1] == "Reservation 1: okänd organisation NOPE."
    assert by_row[5][1] == "Reservation 2: young_adults har redan reserverade platser."
    assert by_row[6][1] == "De reserverade platserna (4) är fler än insatsens platser (3)."
    assert by_row[7][1] == by_row[8][1] == "Reservation 1: antal platser ska vara ett heltal från 1 till 10000."
    assert by_row[9][1] == "Reservation 1: RK är en organisation; skriv org:RK:1."


@pytest.mark.parametrize("cell", [
    "=HYPERLINK(\"http://evil.test\",\"klicka\")", "+young_adults:1", "-young_adults:1", "@SUM(A1:A2)",
    "young_adults", "young_adults:två", "org:RK", "org::1", "målgrupp:young_adults:1", "young_adults:1:2",
    "\x1b[31mröd:1",
])
def test_garbage_and_formula_cells_cannot_be_read(db, cell):
    errors = [error for error in _rejected(db, cell) if error[0] == 3]
    assert errors
    for _row, column, message in errors:
        assert column == "reserverade_platser" and "kan inte läsas" in message and "org:RK:1" in message
        assert "\x1b" not in message


def test_huge_numbers_and_huge_cells_are_refused_without_trouble(db):
    errors = _rejected(db, "young_adults:" + "9" * 500, ", ".join(f"org:RK:{n}" for n in range(1, 22)),
                       "young_adults:1," * 1000)
    messages = {row: message for row, _column, message in errors}
    assert messages[3] == "Reservation 1: antal platser ska vara ett heltal från 1 till 10000."
    assert messages[4] == "Högst 20 reservationer."
    assert messages[5] == "Högst 1000 tecken."


def test_an_unreadable_capacity_is_reported_once_and_the_codes_still_checked(db):
    header = HEADER
    rows = ["AMF-1;Rad;painting;många;4500;månad;young_adults:2", "AMF-2;Rad;painting;många;4500;månad;okänd:2"]
    with pytest.raises(ImportRejected) as caught:
        _import(db, _csv(*rows, header=header))
    errors = {(row, column) for row, column, _message in caught.value.row_errors}
    assert errors == {(2, "capacity"), (3, "capacity"), (3, "reserverade_platser")}


def test_the_template_has_the_column_with_an_example():
    lines = template_csv().decode("utf-8-sig").splitlines()
    header, example = lines[0].split(";"), lines[1].split(";")
    assert example[header.index("reserved")] == "young_adults:2"
