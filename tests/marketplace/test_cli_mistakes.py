"""Every command answers an operator's mistake (a database that is down, a missing folder or file,
an unreadable file, a bad argument) with one line and exit code 1 or 2, never a traceback."""

from __future__ import annotations

import socket
from datetime import date

import pytest
from flask.cli import ScriptInfo

from marketplace.cli import main
from tests.billing._factories import make_booking, make_programme

DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:{port}/insatstorget"


def _closed_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def down_app(tmp_path):
    """An app whose database server is not running."""
    from marketplace.app import create_app
    from marketplace.kernel.config import Settings

    app = create_app(Settings(database_url=DOWN_URL.format(port=_closed_port()), instance_path=tmp_path / "instance",
                              scheduler_in_process=False))
    yield app
    app.extensions["insatstorget"].engine.dispose()


def _run(app, *args):
    return app.test_cli_runner().invoke(main, list(args), obj=ScriptInfo(create_app=lambda: app))


def _refused(result, code: int, *words: str) -> None:
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught exception
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "insatser.csv"
    path.write_text("code;name;organisation;category;target_groups;capacity;price;price_unit\r\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("args", [
    ["init-db"],
    ["users", "create", "--email", "a@b.se", "--password", "ett-bra-losenord", "--name", "A", "--organisation", "RK",
     "--role", "staff"],
    ["rotate-field-key"],
    ["seed-demo"],
    ["scheduler", "--once"],
    ["billing", "close", "2026-01"],
    ["billing", "export", "2026-01", "--format", "csv", "--output", "-"],
    ["billing", "preview", "2026-01"],
], ids=lambda args: " ".join(args[:2]))
def test_a_database_that_is_down_is_one_line_and_exit_1(down_app, args):
    _refused(_run(down_app, *args), 1, "Error: the database cannot be reached", "Connection refused")


def test_catalog_import_with_the_database_down(down_app, csv_file):
    _refused(_run(down_app, "catalog", "import", str(csv_file)), 1, "the database cannot be reached")


def test_backup_and_restore_with_the_database_down(down_app, tmp_path):
    _refused(_run(down_app, "backup", str(tmp_path / "b.dump")), 1, "pg_dump failed with exit code 1")
    source = tmp_path / "old.dump"
    source.write_bytes(b"not a dump")
    _refused(_run(down_app, "restore", "--yes", str(source)), 1, "the database cannot be reached")


def test_backup_into_a_folder_that_cannot_be_made(runner_app, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    _refused(_run(runner_app, "backup", str(blocker / "backup.db")), 1, "Error:", str(blocker))


def test_restore_of_a_missing_or_damaged_backup(runner_app, tmp_path, engine):
    _refused(_run(runner_app, "restore", "--yes", "--force", str(tmp_path / "missing.db")), 2, "does not exist")
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is no backup at all" * 100)
    result = _run(runner_app, "restore", "--yes", "--force", str(damaged))
    _refused(result, 1, "Error:")
    assert ("pg_restore failed" if engine.dialect.name == "postgresql" else "SQLite: file is not a database") in result.output


def test_catalog_import_of_a_missing_or_unreadable_file(runner_app, tmp_path, csv_file, monkeypatch):
    _refused(_run(runner_app, "catalog", "import", str(tmp_path / "saknas.csv")), 2, "does not exist")
    _refused(_run(runner_app, "catalog", "import", str(tmp_path)), 2, "is a directory")

    def unreadable(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr("pathlib.Path.read_bytes", unreadable)  # root reads any file: simulate a chmod 000
    _refused(_run(runner_app, "catalog", "import", str(csv_file)), 1, "Permission denied", str(csv_file))


def test_billing_commands_refuse_a_bad_month_and_a_missing_folder(runner_app, tmp_path):
    _refused(_run(runner_app, "billing", "preview", "mars"), 2, "YYYY-MM")
    _refused(_run(runner_app, "billing", "close", "2026-13"), 2, "YYYY-MM")
    missing = tmp_path / "no-such-folder"
    _refused(_run(runner_app, "billing", "export", "2026-01", "--format", "csv", "--output", str(missing / "f.csv")),
             1, f"the folder {missing} does not exist")
    assert not missing.exists()


def test_users_demo_code_and_serve_refuse_bad_input(runner_app):
    _refused(_run(runner_app, "users", "create", "--email", "a@b.se"), 2, "Missing option")
    _refused(_run(runner_app, "serve", "--threads", "0"), 2, "--threads")
    _refused(_run(runner_app, "nonsense"), 2, "No such command")


def test_run_on_a_port_in_use_says_so(runner_app, monkeypatch):
    monkeypatch.setattr("marketplace.operations.service_lock.mark_running", lambda path: (lambda: None))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        runner_app.config["TESTING"] = True
        _refused(_run(runner_app, "run", "--port", str(port)), 1, f"Port {port} is in use")


@pytest.fixture
def runner_app(app, settings, monkeypatch):
    monkeypatch.setattr(settings, "scheduler_in_process", False)
    return app


def test_billing_preview_prints_the_open_months_totals_per_buyer_and_provider(runner_app, db, frozen_clock):
    frozen_clock("2026-04-02T09:00:00+02:00")
    amf = make_programme(db, organisation="AMF", price_ore=300_000)
    hv = make_programme(db, organisation="HV", price_ore=10_000, price_unit="day")
    make_booking(db, amf, buyer="RK", start=date(2026, 3, 1), end=date(2026, 3, 31))
    make_booking(db, amf, buyer="ST", start=date(2026, 3, 1), end=date(2026, 3, 31))
    make_booking(db, hv, buyer="RK", start=date(2026, 3, 2), end=date(2026, 3, 3))
    result = _run(runner_app, "billing", "preview", "2026-03")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "2026-03 (open, ended: closing it would write these lines): 3 lines, total 6200.00 SEK"
    buyers = result.output.split("Per buyer:")[1].split("Per provider:")[0]
    providers = result.output.split("Per provider:")[1].split("Per buyer and provider:")[0]
    assert [row.split()[0] for row in buyers.strip().splitlines()] == ["RK", "ST"]
    assert "3200.00 SEK" in buyers.splitlines()[1] and "3000.00 SEK" in buyers.splitlines()[2]
    assert [row.split()[0] for row in providers.strip().splitlines()] == ["AMF", "HV"]
    assert "6000.00 SEK" in providers.splitlines()[1] and "200.00 SEK" in providers.splitlines()[2]
    assert "RK -> HV" in result.output.split("Per buyer and provider:")[1]
    empty = _run(runner_app, "billing", "preview", "2026-05")
    assert empty.exit_code == 0 and "0 lines" in empty.output and "No billable bookings" in empty.output
