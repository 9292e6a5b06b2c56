"""Document files on disk: one file per document, named by its id, written atomically
(a temporary file in the same folder, flushed, then os.replace). No Flask."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def path_of(directory: Path, document_id: int) -> Path:
    return Path(directory) / str(int(document_id))


def write(directory: Path, document_id: int, data: bytes) -> Path:
    """Store `data` as document `document_id`; a reader never sees a half-written file."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    target = path_of(directory, document_id)
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".partial")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def read(directory: Path, document_id: int) -> bytes | None:
    try:
        return path_of(directory, document_id).read_bytes()
    except FileNotFoundError:
        return None


def remove(directory: Path, document_id: int) -> None:
    path_of(directory, document_id).unlink(missing_ok=True)
