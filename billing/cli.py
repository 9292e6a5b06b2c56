"""`insatstorget billing close YYYY-MM`, `billing export YYYY-MM --format F --output PATH` and
`billing preview YYYY-MM`."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from billing import money, operations, queries
from billing.disputes import service as disputes
from billing.lines import PairTotal, closed_pair_totals
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
    with Session(engine) as session:
        waiting = disputes.open_on_out(session, period)
    if waiting:
        click.echo(f"Open disputes on {period} (closed anyway; an accepted credit goes into a later month):")
        for dispute in waiting:
            click.echo(f"  #{dispute['id']} {dispute['booking_ref']} {dispute['buyer']} -> {dispute['provider']}")
    if result.without_own_activity_code:
        click.echo("Programmes billed without an activity code of their own (give them one in the catalogue):")
        for p in result.without_own_activity_code:
            used = f"organisation default {p.activity_code}" if p.activity_code else "no activity code"
            click.echo(f"  {p.programme_code} {p.programme_name} ({p.organisation_code}): {used}")


@billing_group.command("export")
@click.argument("period", callback=_period)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Where to write the file ('-' for standard output)")
@with_appcontext
def export_command(period: str, fmt: str, output: Path) -> None:
    """Write a closed month's file (byte-identical to the download)."""
    if str(output) != "-" and not output.parent.is_dir():
        click.echo(f"Error: the folder {output.parent} does not exist; create it first or choose another --output.",
                   err=True)
        sys.exit(1)
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


def _table(title: str, rows: list[tuple[str, int, int]]) -> None:
    click.echo(f"{title}:")
    width = max([len(label) for label, _amount, _lines in rows] + [10])
    for label, amount, lines in rows:
        click.echo(f"  {label:{width}}  {lines:>7} lines  {money.format_amount(amount):>14} SEK")


def _sums(pairs: list[PairTotal], side: str) -> list[tuple[str, int, int]]:
    acc: dict[str, list] = {}
    for pair in pairs:
        code, name = (pair.buyer_code, pair.buyer_name) if side == "buyer" else (pair.provider_code, pair.provider_name)
        entry = acc.setdefault(code, [name, 0, 0])
        entry[1] += pair.amount_ore
        entry[2] += pair.line_count
    return [(f"{code} {acc[code][0]}", acc[code][1], acc[code][2]) for code in sorted(acc)]


@billing_group.command("preview")
@click.argument("period", callback=_period)
@with_appcontext
def preview_command(period: str) -> None:
    """Print PERIOD's totals per buyer, per provider and per pair: what closing it now would write
    (an open month) or what was written (a closed one). Changes nothing."""
    engine, _settings = _context()
    with Session(engine) as session:
        summary = queries.month_summary(session, period, today=clock.today())
        pairs = summary.preview if summary.preview is not None else closed_pair_totals(session, period)
    state = ("closed" if summary.is_closed else
             "open, ended: closing it would write these lines" if summary.has_ended else "open, not yet ended")
    click.echo(f"{period} ({state}): {summary.line_count} lines, total {money.format_amount(summary.total_ore or 0)} SEK")
    if not pairs:
        click.echo("No billable bookings in this month.")
        return
    _table("Per buyer", _sums(pairs, "buyer"))
    _table("Per provider", _sums(pairs, "provider"))
    _table("Per buyer and provider", [(f"{p.buyer_code} -> {p.provider_code}", p.amount_ore, p.line_count) for p in pairs])
