"""The command line: init-db is idempotent; users create reports bad input with exit code 1."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, func, select

from catalog.models import Category, Organisation, TargetGroup
from marketplace.auth.models import User
from marketplace.cli import main


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _invoke(runner, *args):
    return runner.invoke(main, list(args), catch_exceptions=False)


def test_init_db_twice_adds_reference_data_once(runner, db):
    first = _invoke(runner, "init-db")
    second = _invoke(runner, "init-db")
    assert first.exit_code == 0 and second.exit_code == 0
    assert "0 organisations, 0 target groups, 0 categories added" in second.output
    assert db.execute(select(func.count()).select_from(Organisation)).scalar_one() == 16
    assert db.execute(select(func.count()).select_from(TargetGroup)).scalar_one() == 13
    assert db.execute(select(func.count()).select_from(Category)).scalar_one() == 20
    painting = db.get(Category, "painting")
    assert (painting.label_sv, painting.label_en) == ("Måleri", "Painting")


def test_users_create_makes_a_user_who_can_sign_in(runner, db, client):
    result = _invoke(runner, "users", "create", "--email", "Ny.Person@Stockholm.se", "--password", "ett-bra-losenord",
                     "--name", "Ny Person", "--organisation", "rk", "--role", "staff", "--role", "coordinator")
    assert result.exit_code == 0, result.output
    user = db.execute(select(User).where(User.email == "ny.person@stockholm.se")).scalar_one()
    assert user.role_set == {"staff", "coordinator"}
    response = client.post("/logga-in", data={"email": "ny.person@stockholm.se", "password": "ett-bra-losenord"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("organisation", "role", "message"),
    [("ZZ", "staff", "Okänd organisation: ZZ"), ("RK", "boss", "Okänd roll: boss")],
)
def test_users_create_refuses_unknown_organisation_or_role(runner, db, organisation, role, message):
    result = runner.invoke(main, ["users", "create", "--email", "a@b.se", "--password", "ett-bra-losenord",
                                  "--name", "A", "--organisation", organisation, "--role", role])
    assert result.exit_code == 1
    assert message in result.output
    assert db.execute(select(func.count()).select_from(User)).scalar_one() == 0


def test_users_create_refuses_a_duplicate_email(runner, staff_user):
    result = runner.invoke(main, ["users", "create", "--email", staff_user.email, "--password", "ett-bra-losenord",
                                  "--name", "A", "--organisation", "RK", "--role", "staff"])
    assert result.exit_code == 1
    assert "finns redan" in result.output


def test_backup_writes_a_copy_with_every_user(runner, staff_user, tmp_path, settings):
    target = tmp_path / "backup.db"
    result = _invoke(runner, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert target.exists() and target.stat().st_size > 0


def test_demo_code_prints_the_current_code_of_the_demo_second_factor(runner, frozen_clock):
    import pyotp

    from marketplace.operations.demo import DEMO_TOTP_SECRET

    moment = frozen_clock("2026-05-04T09:00:00+02:00")
    result = _invoke(runner, "demo-code")
    assert result.exit_code == 0
    assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(result.output.strip(), for_time=moment)


PRODUCTION_DECISION = "Socialnämndens gallringsbeslut 2026-01-20, dnr SN 2026/123"


def test_seed_demo_is_refused_in_production_and_creates_no_account(db, database_url, tmp_path):
    from marketplace.app import create_app
    from marketplace.kernel.config import Settings

    app = create_app(Settings(env="production", database_url=database_url, secret_key="p" * 40,
                              retention_decision=PRODUCTION_DECISION, instance_path=tmp_path / "prod",
                              scheduler_in_process=False))
    try:
        result = app.test_cli_runner().invoke(main, ["seed-demo"])
    finally:
        app.extensions["insatstorget"].engine.dispose()
    assert result.exit_code == 1
    assert "seed-demo is refused when INSATSTORGET_ENV=production" in result.output
    db.expire_all()
    assert db.execute(select(func.count(User.id))).scalar_one() == 0


def test_restore_is_refused_while_the_service_runs_or_the_database_is_in_use_unless_forced(
        runner, app, db, engine, settings, tmp_path, monkeypatch):
    from marketplace.operations import service_lock

    target = tmp_path / "before.backup"
    assert _invoke(runner, "backup", str(target)).exit_code == 0
    restored = []
    monkeypatch.setattr("marketplace.operations.backup.restore_database", lambda url, path: restored.append(path))

    release = service_lock.mark_running(settings.instance_path)  # as a gunicorn worker, `run` or `scheduler` does
    try:
        refused = runner.invoke(main, ["restore", "--yes", str(target)])
        assert refused.exit_code == 1 and restored == []
        assert "restore refused: the service is running" in refused.output and "--force" in refused.output
        forced = runner.invoke(main, ["restore", "--yes", "--force", str(target)])
        assert forced.exit_code == 0 and restored == [target]
    finally:
        release()

    if engine.dialect.name == "postgresql":  # a live connection (a service on another host, psql) counts too
        psql = create_engine(engine.url)  # another client of the database, with a pool of its own
        try:
            with psql.connect() as live:
                live.exec_driver_sql("SELECT 1")
                busy = runner.invoke(main, ["restore", "--yes", str(target)])
        finally:
            psql.dispose()
        assert busy.exit_code == 1 and "other connection(s) to the database are open" in busy.output
        # The suite's other engines share this database, so "nothing connected" is shown in
        # tests/marketplace/security/test_backup.py (a restore into a fresh database) instead.
        return
    stopped = runner.invoke(main, ["restore", "--yes", str(target)])
    assert stopped.exit_code == 0, stopped.output
    assert restored == [target, target]


def test_version_prints_the_service_version():
    from importlib.metadata import version

    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"insatstorget {version('insatstorget')}\n"


def test_help_lists_only_the_service_commands_and_options():
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    commands = result.output.split("Commands:")[1].split()
    assert "shell" not in commands and "routes" not in commands
    assert {"init-db", "seed-demo", "serve", "users", "billing", "catalog", "backup", "restore"} <= set(commands)
    for flask_option in ("--app", "--env-file", "--debug", "Flask"):
        assert flask_option not in result.output
