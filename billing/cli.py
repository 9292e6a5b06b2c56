"""`insatstorget billing close YYYY-MM` and `billing export YYYY-MM --format F --output PATH`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from billing import money, operations
from billing.periods import parse_period
from billing.storage import FORMATS
from marketplace.kernel import clock
from marketplace.kernel.errors import DomainError


def _context():
    extension = current_app.extensions["insatstorget"]
    return extension.engine, extension.settings


def _period(_ctx, _param, value: str) -> str:
    try:
        return parse_period(value)
    except DomainError as error:
        raise click.BadParameter(error.message) from error


@click.group("billing")
def billing_group() -> None:
    """Close billing months and export their cost-transfer files."""


@billing_group.command("close")
@click.argument("period", callback=_period)
@with_appcontext
def close_command(period: str) -> None:
    """Close PERIOD (YYYY-MM) once it has ended; running it again changes nothing."""
    engine, settings = _context()
    try:
        with Session(engine, expire_on_commit=False) as session:
            result, files = operations.close_and_store(session, period, actor=None, now=clock.now(),
                                                       instance_path=settings.instance_path, ip="cli")
    except DomainError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2 if error.status == 409 else 1)
    state = "closed now" if result.closed_now else "already closed"
    click.echo(f"{period} {state}: {result.line_count} lines, total {money.format_amount(result.total_ore)} SEK")
    for stored in files:
        click.echo(f"  {stored.format:5} {stored.sha256}  {stored.path}")


@billing_group.command("export")
@click.argument("period", callback=_period)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the file ('-' for standard output)")
@with_appcontext
def export_command(period: str, fmt: str, output: Path) -> None:
    """Write a closed month's file (byte-identical to the download)."""
    engine, settings = _context()
    try:
        with Session(engine, expire_on_commit=False) as session:
            stored = operations.fetch_file(session, period, fmt, actor=None, now=clock.now(),
                                           instance_path=settings.instance_path, ip="cli")
    except DomainError as error:
        click.echo(f"Error: {error.message}", err=True)
        sys.exit(2 if error.status == 409 else 1)
    if str(output) == "-":
        with stored.path.open("rb") as source:
            shutil.copyfileobj(source, sys.stdout.buffer)
        return
    temp = output.with_name(f".{output.name}.tmp")
    shutil.copyfile(stored.path, temp)
    temp.replace(output)
    click.echo(f"Wrote {output} ({stored.size} bytes, sha256 {stored.sha256})", err=True)
