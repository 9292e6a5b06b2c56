"""`insatstorget catalog …`: the catalogue's commands (CSV import), attached by marketplace.cli."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from catalog import importer
from catalog.errors import ImportRejected
from marketplace import audit
from marketplace.kernel import clock
from marketplace.kernel.db import transaction


@click.group("catalog")
def catalog_group() -> None:
    """The programme catalogue."""


@catalog_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organisation", "organisation_code", default=None,
              help="Organisation code for rows without one (e.g. AMF); without it every row must name one.")
@with_appcontext
def import_command(path: Path, organisation_code: str | None) -> None:
    """Import programmes from a CSV (Excel, Swedish: `;`, decimal comma). All rows or none."""
    from marketplace.programmes.service import organisation_by_code

    engine = current_app.extensions["insatstorget"].engine
    now = clock.now()
    with Session(engine, expire_on_commit=False) as session:
        default_id = None
        if organisation_code:
            organisation = organisation_by_code(session, organisation_code)
            if organisation is None:
                click.echo(f"Fel: organisationen {organisation_code} finns inte.", err=True)
                sys.exit(1)
            default_id = organisation.id
        try:
            with transaction(session):
                created = importer.import_programmes(session, path.read_bytes(), default_organisation_id=default_id,
                                                     allowed_organisation_ids=None, actor_id=None, now=now)
                for programme in created:
                    audit.record(session, actor=None, action="programme.create", object_type="programme",
                                 object_id=programme.id, now=now, details={"code": programme.code, "via": "cli_import"})
        except ImportRejected as error:
            click.echo(error.message, err=True)
            for row, column, message in error.row_errors:
                click.echo(f"  rad {row}, kolumn {column}: {message}", err=True)
            sys.exit(1)
    count = len(created)
    click.echo(f"{count} {'insats importerad' if count == 1 else 'insatser importerade'} från {path.name}.")
