"""A closed month's files on disk: made from the stored lines, checked against their sha256.

Files live under <instance>/billing/<YYYY-MM>/. The first time a file is made its sha256
and size are recorded (TransferFile); a file that is missing or damaged is made again from
the rows and must hash the same, so every download is byte-identical. Writes go to a
temporary file that is renamed into place (os.replace), so a crash never leaves half a file
under the real name; what a crash leaves is a ".<name>.<random>.tmp" file, which the next
close removes (remove_leftovers). Also drops the files into the finance system's import folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing import dimensions
from billing.files import FileHeader
from billing.files.csv_excel import write_csv_to
from billing.files.sie4 import chart_from_rows, write_sie4_to
from billing.files.xlsx import write_xlsx_to
from billing.lines import closed_pair_totals, iter_closed_lines
from billing.models import BillingPeriod, ChargeLine, FileFormat, PeriodStatus, TransferFile
from marketplace.kernel.errors import Conflict

FORMATS = (FileFormat.CSV.value, FileFormat.XLSX.value, FileFormat.SIE.value)
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "sie": "se"}
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sie": "text/plain; charset=IBM437",
}
CHUNK = 1 << 20


class FileIntegrityError(RuntimeError):
    """A file made again from the rows does not match its recorded sha256: the rows changed."""


@dataclass(frozen=True)
class StoredFile:
    period: str
    format: str
    filename: str
    sha256: str
    size: int
    path: Path


def filename_for(period: str, fmt: str) -> str:
    return f"insatstorget-internfakturering-{period}.{EXTENSIONS[fmt]}"


def _closed_period(session: Session, period: str) -> BillingPeriod:
    row = session.get(BillingPeriod, period)
    if row is None or row.status != PeriodStatus.CLOSED.value:
        raise Conflict(f"The month {period} is not closed; files exist only for closed months.",
                       code="period_not_closed", period=period)
    return row


def _chart(session: Session, period: str):
    """Accounts and cost centres a closed month uses: two grouped scans, results as small as
    the number of organisations (a DISTINCT over names would grow with the pairs)."""
    where = ChargeLine.period == period
    buyers = session.execute(
        select(ChargeLine.buyer_cost_centre, ChargeLine.buyer_cost_account, func.min(ChargeLine.buyer_name))
        .where(where).group_by(ChargeLine.buyer_cost_centre, ChargeLine.buyer_cost_account)).all()
    providers = session.execute(
        select(ChargeLine.provider_cost_centre, ChargeLine.provider_revenue_account, func.min(ChargeLine.provider_name))
        .where(where).group_by(ChargeLine.provider_cost_centre, ChargeLine.provider_revenue_account)).all()
    return chart_from_rows({r[1] for r in buyers}, {r[1] for r in providers},
                           [(r[0], r[2]) for r in buyers] + [(r[0], r[2]) for r in providers])


def write_file(session: Session, period: str, fmt: str, out) -> None:
    """Write one format of a closed month into the binary file object `out` (streamed), in the
    layout the month was closed with: a month closed before the accounting dimensions gets its
    files without them, byte for byte as before; a later one with the activity codes it froze."""
    row = _closed_period(session, period)
    header = FileHeader(period=period, closed_at=row.closed_at)
    lines = iter_closed_lines(session, period)
    activity = dimensions.file_codes(session, period)
    if fmt == "csv":
        write_csv_to(out, header, lines, activity_codes=activity)
    elif fmt == "xlsx":
        write_xlsx_to(out, header, lines, closed_pair_totals(session, period), activity_codes=activity)
    elif fmt == "sie":
        accounts, centres = _chart(session, period)
        write_sie4_to(out, header, lines, accounts=accounts, cost_centres=centres, activity_codes=activity)
    else:
        raise ValueError(f"unknown format {fmt!r}")


def _sha256_of(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


TEMP_PATTERN = ".*.tmp"  # what _write_atomically's mkstemp names look like
# In the instance folder a download may be writing a temp file while a close runs: only temp
# files older than this are a crash's leftovers there.
STALE_TEMP_SECONDS = 3600


def remove_leftovers(directory: Path, *, older_than_seconds: float = 0) -> list[str]:
    """Delete the temp files a killed write left in `directory` and its subfolders; their names."""
    if not directory.is_dir():
        return []
    cutoff, removed = time.time() - older_than_seconds, []
    for leftover in directory.rglob(TEMP_PATTERN):
        try:
            if leftover.is_file() and leftover.stat().st_mtime <= cutoff:
                leftover.unlink()
                removed.append(leftover.name)
        except FileNotFoundError:  # another process renamed or removed it meanwhile
            continue
    return removed


def _write_atomically(directory: Path, name: str, produce) -> tuple[str, int, str]:
    """Write via `produce(handle)` to a fsynced temp file in `directory`; the caller renames it."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w+b") as handle:
            produce(handle)
            handle.flush()
            os.fsync(handle.fileno())
        sha, size = _sha256_of(Path(temp))
        return sha, size, temp
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def ensure_files(session: Session, period: str, root: Path, *, now: datetime) -> list[StoredFile]:
    """Make sure every file of a closed month exists on disk and matches its sha256.

    Adds TransferFile rows the first time (the caller commits). Raises FileIntegrityError
    if a remade file differs from its record; Conflict (409) if the month is not closed.
    """
    _closed_period(session, period)
    directory = root / "billing" / period
    records = {tf.format: tf for tf in session.execute(select(TransferFile).where(TransferFile.period == period)).scalars()}
    result = []
    for fmt in FORMATS:
        name = filename_for(period, fmt)
        path = directory / name
        record = records.get(fmt)
        if record is not None and path.exists():
            sha, size = _sha256_of(path)
            if sha == record.sha256:
                result.append(StoredFile(period, fmt, name, sha, size, path))
                continue
        sha, size, temp = _write_atomically(directory, name, lambda handle, fmt=fmt: write_file(session, period, fmt, handle))
        if record is not None and record.sha256 != sha:
            Path(temp).unlink(missing_ok=True)
            raise FileIntegrityError(f"{name} made again hashes {sha}, recorded {record.sha256}")
        os.replace(temp, path)
        if record is None:
            session.add(TransferFile(period=period, format=fmt, filename=name, sha256=sha, size=size,
                                     path=str(Path("billing") / period / name), created_at=now))
        result.append(StoredFile(period, fmt, name, sha, size, path))
    session.flush()
    return result


def export_to_folder(files: list[StoredFile], export_dir: Path) -> Path:
    """Drop a month's files and a manifest into <export_dir>/<YYYY-MM>/, each via temp + rename.

    The manifest (sha256 of every file) is written last, so an importer that waits for it
    never reads a partial month. Running it again rewrites identical bytes. Temp files that an
    earlier, killed export left anywhere in the folder are removed first: only the close job
    (one at a time, under its scheduler lease) writes there.
    """
    period = files[0].period
    target = export_dir / period
    remove_leftovers(export_dir)
    target.mkdir(parents=True, exist_ok=True)
    for stored in files:
        def copy(handle, source=stored.path):
            with source.open("rb") as src:
                while chunk := src.read(CHUNK):
                    handle.write(chunk)
        sha, _size, temp = _write_atomically(target, stored.filename, copy)
        if sha != stored.sha256:
            Path(temp).unlink(missing_ok=True)
            raise FileIntegrityError(f"copy of {stored.filename} hashes {sha}, expected {stored.sha256}")
        os.replace(temp, target / stored.filename)
    manifest = {"period": period,
                "files": [{"name": f.filename, "format": f.format, "sha256": f.sha256, "size": f.size} for f in files]}
    body = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    _sha, _size, temp = _write_atomically(target, "manifest.json", lambda handle: handle.write(body))
    os.replace(temp, target / "manifest.json")
    return target
