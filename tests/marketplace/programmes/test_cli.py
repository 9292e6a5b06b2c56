"""`insatstorget catalog import FILE.csv`: all rows or none, errors by row and column, exit code."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from catalog.models import Programme
from marketplace.audit.models import AuditLog
from marketplace.cli import main

HEADER = "code;name;organisation;category;target_groups;capacity;price;price_unit"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _file(tmp_path, *rows: str):
    path = tmp_path / "insatser.csv"
    path.write_bytes(("\ufeff" + "\r\n".join([HEADER, *rows]) + "\r\n").encode("utf-8"))
    return str(path)


def test_import_loads_every_row_and_audits_it(runner, tmp_path, db):
    path = _file(tmp_path, "HV-1;Parklaget Vällingby;HV;outdoor_park;young_adults;6;3 800,00;månad",
                 "K-2;Bokvården;;book_care;;3;250;dag")
    result = runner.invoke(main, ["catalog", "import", path, "--organisation", "KUF"])
    assert result.exit_code == 0, result.output
    assert "2 insatser importerade" in result.output
    codes = dict(db.execute(select(Programme.code, Programme.price_ore)).all())
    assert codes == {"HV-1": 380_000, "K-2": 25_000}
    assert len(db.execute(select(AuditLog).where(AuditLog.action == "programme.create")).scalars().all()) == 2


def test_import_with_a_bad_row_imports_nothing_and_exits_1(runner, tmp_path, db):
    path = _file(tmp_path, "HV-1;Bra;HV;outdoor_park;;6;3800;månad", "HV-2;Dålig;HV;outdoor_park;;sex;3800;vecka")
    result = runner.invoke(main, ["catalog", "import", path])
    assert result.exit_code == 1
    assert "rad 3, kolumn capacity" in result.output and "rad 3, kolumn price_unit" in result.output
    assert db.execute(select(Programme)).first() is None


def test_rows_without_organisation_need_the_option(runner, tmp_path, db):
    result = runner.invoke(main, ["catalog", "import", _file(tmp_path, "X-1;Namn;;painting;;1;100;dag")])
    assert result.exit_code == 1 and "rad 2, kolumn organisation" in result.output
