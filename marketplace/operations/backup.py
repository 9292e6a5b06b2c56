"""Consistent copies of the database while the service runs, and restoring them. No Flask.

SQLite: the online backup API copies a consistent snapshot page by page while writers go
on. PostgreSQL: pg_dump in custom format (a consistent snapshot in one transaction), and
pg_restore --clean to bring it back. The folder of uploaded documents goes beside it
(backup_documents / restore_documents).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _pg_args(url: str) -> tuple[list[str], dict[str, str]]:
    parsed = make_url(url)
    args = ["--host", parsed.host or "localhost", "--port", str(parsed.port or 5432), "--dbname", parsed.database or ""]
    if parsed.username:
        args += ["--username", parsed.username]
    env = {"PGPASSWORD": parsed.password} if parsed.password else {}
    return args, env


def backup_database(url: str, target: Path) -> Path:
    """Write a consistent copy of the database at `url` to `target` (a file)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        destination = sqlite3.connect(tmp)
        try:
            with destination:
                # One step (pages=-1): a stepwise copy restarts whenever another connection
                # writes, so under steady load it might never finish. In WAL mode the
                # one-step copy holds only a read snapshot; writers go on meanwhile.
                source.backup(destination, pages=-1)
        finally:
            destination.close()
            source.close()
    else:
        args, env = _pg_args(url)
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(tmp), *args],
                       check=True, env={**os.environ, **env})
    tmp.replace(target)
    return target


def restore_database(url: str, source: Path) -> None:
    """Replace the database at `url` with the backup at `source`. Stop the service first."""
    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(source)
    if url.startswith("sqlite"):
        destination_path = _sqlite_path(url)
        backup = sqlite3.connect(source)
        destination = sqlite3.connect(destination_path, timeout=30)
        try:
            with destination:
                backup.backup(destination)
        finally:
            destination.close()
            backup.close()
        return
    args, env = _pg_args(url)
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction", *args, str(source)],
                   check=True, env={**os.environ, **env})


# --- the document folder --------------------------------------------------------------------
# Uploaded booking documents live outside the database (Settings.resolved_document_dir()),
# one file per document named by its id. A backup writes them beside the database copy as
# <backup>.documents.tar; restore puts that folder back. The database is copied first: a
# document uploaded meanwhile is an extra file (harmless), never a row without its file.


def documents_archive(target: Path) -> Path:
    target = Path(target)
    return target.with_name(target.name + ".documents.tar")


def backup_documents(document_dir: Path, target: Path) -> Path:
    """Write every document file of `document_dir` to <target>.documents.tar (atomically)."""
    archive = documents_archive(target)
    tmp = archive.with_name(archive.name + ".partial")
    document_dir = Path(document_dir)
    with tarfile.open(tmp, "w") as tar:
        if document_dir.is_dir():
            for path in sorted(document_dir.iterdir()):
                if path.is_file() and path.name.isdigit():  # not a half-written upload
                    tar.add(path, arcname=path.name, recursive=False)
    tmp.replace(archive)
    return archive


def restore_documents(document_dir: Path, source: Path) -> int | None:
    """Replace `document_dir` with the documents saved beside the backup `source`; returns how
    many, or None when the backup has no document archive (the folder is left as it is)."""
    archive = documents_archive(source)
    if not archive.exists():
        return None
    document_dir = Path(document_dir)
    document_dir.parent.mkdir(parents=True, exist_ok=True)
    incoming = Path(tempfile.mkdtemp(prefix=".documents-restore-", dir=document_dir.parent))
    with tarfile.open(archive, "r") as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.isdigit()]
        tar.extractall(incoming, members=members, filter="data")
    old = document_dir.with_name(document_dir.name + ".before-restore")
    if old.exists():
        shutil.rmtree(old)
    if document_dir.exists():
        document_dir.replace(old)
    incoming.replace(document_dir)
    shutil.rmtree(old, ignore_errors=True)
    return len(members)
