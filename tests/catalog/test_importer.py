"""CSV import in Excel's Swedish dialect: every row validated, errors by row and column, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.errors import ImportRejected
from catalog.importer import decode, import_programmes, template_csv
from catalog.models import Organisation, Programme, ProgrammeTargetGroup
from marketplace.kernel import clock

HEADER = "code;name;organisation;category;target_groups;description;capacity;price;price_unit;accessible;min_weeks;max_weeks"


def _csv(*rows: str, header: str = HEADER, bom: bool = True, encoding: str = "utf-8") -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (("\ufeff" if bom else "") + text).encode(encoding)


def _amf(db) -> int:
    return db.execute(select(Organisation.id).where(Organisation.code == "AMF")).scalar_one()


def _import(db, data: bytes, *, allowed=None):
    amf = _amf(db)
    created = import_programmes(db, data, default_organisation_id=amf, allowed_organisation_ids=allowed,
                                actor_id=None, now=clock.now())
    db.commit()
    return created


def test_valid_rows_are_all_imported_with_prices_in_ore_and_target_groups(db):
    data = _csv(
        'AMF-1;Måleriet Årsta;AMF;painting;long_term_unemployed,young_adults;"Målning; tapetsering";6;4 500,00;månad;ja;4;26',
        "AMF-2;Cykelverkstan;;bicycle;newly_arrived|osa;Reparation;3;350;dag;nej;;",
    )
    created = _import(db, data)
    assert [p.code for p in created] == ["AMF-1", "AMF-2"]
    first = db.execute(select(Programme).where(Programme.code == "AMF-1")).scalar_one()
    assert (first.price_ore, first.price_unit, first.accessible, first.min_weeks, first.status) == (450_000, "month", True, 4, "published")
    assert first.description == "Målning; tapetsering"
    second = db.execute(select(Programme).where(Programme.code == "AMF-2")).scalar_one()
    assert (second.price_ore, second.price_unit, second.organisation_id) == (35_000, "day", _amf(db))
    groups = set(db.execute(select(ProgrammeTargetGroup.target_group_code).where(ProgrammeTargetGroup.programme_id == second.id)).scalars())
    assert groups == {"newly_arrived", "osa"}


def test_one_bad_row_stops_the_whole_file_and_errors_name_row_and_column(db):
    data = _csv(
        "AMF-1;Bra rad;AMF;painting;;Text;6;4 500,00;månad;ja;;",
        "AMF-2;;AMF;astronomy;aliens;Text;-3;gratis;vecka;kanske;;",
        "AMF-1;Dubblett;AMF;painting;;Text;2;100;dag;nej;;",
    )
    with pytest.raises(ImportRejected) as caught:
        _import(db, data)
    errors = {(row, column) for row, column, _ in caught.value.row_errors}
    assert {(3, "name"), (3, "category"), (3, "target_groups"), (3, "capacity"), (3, "price"), (3, "price_unit"),
            (3, "accessible"), (4, "code")} <= errors
    assert all(row != 2 for row, _, _ in caught.value.row_errors)
    messages = {(row, column): message for row, column, message in caught.value.row_errors}
    assert messages[(3, "price")].startswith("Priset måste vara ett belopp")
    assert "rad 2" in messages[(4, "code")]
    db.rollback()
    assert db.execute(select(Programme)).first() is None


def test_windows_1252_files_are_read(db):
    data = _csv("AMF-9;Städlaget Farsta;AMF;cleaning;;Städning;4;4000;månad;nej;;", bom=False, encoding="cp1252")
    assert decode(data).splitlines()[1].startswith("AMF-9;Städlaget")
    assert _import(db, data)[0].name == "Städlaget Farsta"


def test_swedish_column_names_are_accepted_and_errors_use_them(db):
    header = "kod;namn;kategori;platser;pris;prisenhet"
    with pytest.raises(ImportRejected) as caught:
        _import(db, _csv("K-1;Parken;outdoor_park;tre;100;månad", header=header))
    assert caught.value.row_errors == [(2, "platser", "Ange ett heltal.")]


def test_a_missing_required_column_or_an_unknown_one_is_reported_on_row_one(db):
    with pytest.raises(ImportRejected) as caught:
        _import(db, _csv("X;Y;Z", header="code;name;favourite_colour"))
    errors = {(row, column) for row, column, _ in caught.value.row_errors}
    assert (1, "favourite_colour") in errors and (1, "price") in errors and (1, "category") in errors


def test_a_comma_separated_file_gets_a_clear_message(db):
    with pytest.raises(ImportRejected) as caught:
        _import(db, b"code,name,category\r\nA,B,painting\r\n")
    assert "semikolonseparerad" in caught.value.row_errors[0][2]


def test_a_coordinator_may_import_only_for_their_own_organisation(db):
    data = _csv("HV-1;Annans;HV;painting;;Text;2;100;dag;nej;;")
    with pytest.raises(ImportRejected) as caught:
        _import(db, data, allowed={_amf(db)})
    assert caught.value.row_errors[0][:2] == (2, "organisation")


def test_a_code_already_in_the_catalogue_is_an_error(db):
    _import(db, _csv("AMF-1;Först;AMF;painting;;Text;2;100;dag;nej;;"))
    with pytest.raises(ImportRejected) as caught:
        _import(db, _csv("AMF-1;Igen;AMF;painting;;Text;2;100;dag;nej;;"))
    assert caught.value.row_errors[0][:2] == (2, "code")


def test_oversized_text_is_an_error_on_its_column(db):
    with pytest.raises(ImportRejected) as caught:
        _import(db, _csv(f"AMF-1;{'x' * 201};AMF;painting;;Text;2;100;dag;nej;;"))
    assert caught.value.row_errors[0][:2] == (2, "name")


def test_the_template_file_imports_as_it_is(db):
    created = _import(db, template_csv())
    assert [p.code for p in created] == ["AMF-SNICK-01"]
    assert created[0].price_ore == 450_000 and created[0].accessible is True
