"""The `insatstorget` command: a Flask CLI group (composition root, may import billing)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from marketplace.kernel import clock
from marketplace.kernel.config import ConfigurationError, Settings


def _create_app():
    from marketplace.app import create_app

    try:
        return create_app(Settings())
    except ConfigurationError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)


def _engine():
    return current_app.extensions["insatstorget"].engine


def _settings() -> Settings:
    return current_app.extensions["insatstorget"].settings


class ServiceGroup(FlaskGroup):
    """Flask's command group (an app context for each command) with the service's own options
    only: Flask's --app, --env-file, --debug and its --version would only confuse an operator."""

    def __init__(self, **extra):
        super().__init__(add_default_commands=False, add_version_option=False, load_dotenv=False,
                         set_debug_flag=False, **extra)
        self.params = [param for param in self.params if param.name not in {"env_file", "app", "debug"}]

    def invoke(self, ctx):
        """Every command's run: what an operator can fix (a database that is down, a file or folder
        that is missing or unreadable, a backup tool that failed) ends in one line and exit code 1,
        never a traceback. Anything else is a bug and keeps its traceback."""
        try:
            return super().invoke(ctx)
        except (OperationalError, InterfaceError) as error:
            raise click.ClickException(f"the database cannot be reached: {_first_line(error.orig or error)}") from error
        except subprocess.CalledProcessError as error:
            raise click.ClickException(f"{Path(str(error.cmd[0])).name} failed with exit code {error.returncode} "
                                       "(its message is above)") from error
        except sqlite3.Error as error:  # a backup file that is no SQLite database, a locked file
            raise click.ClickException(f"SQLite: {error}") from error
        except OSError as error:
            where = f"{error.filename}: " if error.filename else ""
            raise click.ClickException(f"{where}{error.strerror or error}") from error


def _first_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else error.__class__.__name__


@click.group(cls=ServiceGroup, create_app=_create_app)
@click.version_option(version("insatstorget"), prog_name="insatstorget", message="%(prog)s %(version)s")
def main() -> None:
    """Insatstorget – the marketplace for work-training places."""


@main.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or migrate the schema and load the reference data (safe to run again)."""
    from marketplace.operations.schema import init_db

    added = init_db(_engine())
    click.echo(
        "Database ready: {organisations} organisations, {target_groups} target groups, "
        "{categories} categories added.".format(**added)
    )


@main.group("users")
def users_group() -> None:
    """Manage user accounts."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", required=True)
@click.option("--organisation", "organisation_code", required=True, help="Organisation code, e.g. RK")
@click.option("--role", "roles", multiple=True, required=True, help="staff, coordinator, supervisor, manager, finance, district_finance or admin; repeatable")
@with_appcontext
def users_create(email: str, password: str, name: str, organisation_code: str, roles: tuple[str, ...]) -> None:
    """Create a user."""
    from marketplace.auth.accounts import create_user
    from marketplace.kernel.db import transaction
    from marketplace.kernel.errors import DomainError

    try:
        with Session(_engine()) as session, transaction(session):
            user = create_user(session, email=email, password=password, name=name,
                               organisation_code=organisation_code, roles=list(roles), now=clock.now())
            click.echo(f"Created user {user.email} ({user.roles}) at {organisation_code.upper()}.")
    except DomainError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(1)


@main.command("rotate-field-key")
@with_appcontext
def rotate_field_key_command() -> None:
    """Re-encrypt the TOTP secrets with the current field key (after changing it; see README)."""
    from marketplace.kernel.field_crypto import rotate_all

    with _engine().begin() as connection:
        changed = rotate_all(connection)
    click.echo(f"{changed} stored secrets re-encrypted with the current field key.")


@main.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def run_command(host: str, port: int) -> None:
    """Run the development server, with the scheduler in-process."""
    from marketplace.operations.service_lock import mark_running

    settings = _settings()
    mark_running(settings.instance_path)
    if settings.scheduler_in_process:
        from marketplace.scheduler import start_in_process

        start_in_process(_engine(), settings)
    click.echo(f"Insatstorget is running at http://{host}:{port}/  (Ctrl+C stops it)")
    # Flask's app.run() refuses to serve inside a Flask CLI command, so serve with Werkzeug directly.
    from werkzeug.serving import run_simple

    run_simple(host, port, current_app._get_current_object(), use_reloader=False, use_debugger=False, threaded=True)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker (1: one request at a time per process).")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Run the production server (gunicorn) with several workers."""
    from marketplace.operations.wsgi_server import run_gunicorn

    run_gunicorn(host=host, port=port, workers=workers, threads=threads)


@main.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once now, each under its lease, and exit (cron, checks)")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the scheduled jobs in the foreground (one such process per installation)."""
    from marketplace.scheduler import jobs, run_blocking, run_job
    from marketplace.operations.service_lock import mark_running

    mark_running(_settings().instance_path)
    with _engine().connect():  # a database that is down: one line (see ServiceGroup), not a failure per job
        pass
    if once:
        failed = 0
        for spec in jobs():
            try:
                count = run_job(spec, _engine(), _settings())
            except Exception as error:  # one failing job must not keep the others from running
                failed += 1
                current_app.logger.exception("job %s failed", spec.id)
                click.echo(f"{spec.id}: failed ({error.__class__.__name__})")
                continue
            click.echo(f"{spec.id}: {'skipped, running elsewhere' if count is None else count}")
        sys.exit(1 if failed else 0)
    run_blocking(_engine(), _settings())


@main.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write a consistent copy of the database to PATH (and the documents to PATH.documents.tar)
    while the service runs."""
    from marketplace.operations.backup import backup_database, backup_documents

    backup_database(_settings().resolved_database_url(), path)
    archive = backup_documents(_settings().resolved_document_dir(), path)
    click.echo(f"Backup written to {path} (documents: {archive})")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
@click.option("--force", is_flag=True, help="Restore even though the service or another connection seems to be using the database")
@with_appcontext
def restore_command(path: Path, yes: bool, force: bool) -> None:
    """Replace the database with the backup at PATH (stop the service first: refused while it runs)."""
    from marketplace.operations import backup, service_lock

    busy = service_lock.why_busy(_settings().instance_path, _engine())
    _engine().dispose()  # this command's own connection must not be in the restore's way
    if busy and not force:
        click.echo(f"Error: restore refused: {busy}. Stop the service first, or pass --force.", err=True)
        sys.exit(1)
    if not yes:
        click.confirm("This replaces every row in the database. Continue?", abort=True)
    backup.restore_database(_settings().resolved_database_url(), path)
    documents = backup.restore_documents(_settings().resolved_document_dir(), path)
    click.echo(f"Restored from {path}" + ("" if documents is None else f" ({documents} documents)"))


@main.command("demo-code")
@with_appcontext
def demo_code_command() -> None:
    """Print the current one-time code of the demo admin and finance accounts (not in production)."""
    import pyotp

    from marketplace.operations.demo import DEMO_TOTP_SECRET

    if _settings().is_production:
        click.echo("Error: demo codes are not available in production.", err=True)
        sys.exit(1)
    click.echo(pyotp.TOTP(DEMO_TOTP_SECRET).at(clock.now()))


@main.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load demo organisations' users, programmes and bookings (safe to run again; not in production)."""
    from marketplace.operations.demo import seed_demo
    from marketplace.operations.schema import init_db

    if _settings().is_production:
        # The demo accounts' password and TOTP key are published in the README.
        click.echo("Error: seed-demo is refused when INSATSTORGET_ENV=production: it creates accounts with the "
                   "published demo password and TOTP key.", err=True)
        sys.exit(1)
    init_db(_engine())
    report = seed_demo(_engine(), today=clock.today(), now=clock.now())
    for line in report:
        click.echo(line)


def _register_package_commands() -> None:
    """Commands owned by other packages, attached here so only the root imports billing."""
    from marketplace.programmes.cli import catalog_group

    main.add_command(catalog_group)
    try:
        from billing.cli import billing_group
    except ModuleNotFoundError:
        return
    main.add_command(billing_group)


_register_package_commands()


if __name__ == "__main__":
    main()
