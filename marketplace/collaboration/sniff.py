"""What a file is, decided by its content (magic bytes), never by its name.

Accepted: PDF, PNG, JPEG, and the zip-based office formats DOCX, XLSX (Office Open XML,
told apart by the main part's content type in [Content_Types].xml) and ODT (OpenDocument,
by the `mimetype` member). Anything else, including macro-enabled Office files and other
zip files, is None.
"""

from __future__ import annotations

import io
import zipfile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ACCEPTED = (PDF, DOCX, ODT, XLSX, PNG, JPEG)

# The main part's content type in [Content_Types].xml (an Override), per format.
_OOXML_MAIN = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Zip members read to decide: small by definition; a larger one is not a real document.
_MEMBER_LIMIT = 256 * 1024


def detect(data: bytes) -> str | None:
    """The content type of `data`, or None when it is none of the accepted formats."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _zip_document(data)
    return None


def _member(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _MEMBER_LIMIT or info.compress_size > _MEMBER_LIMIT:
        return None
    with archive.open(info) as member:
        return member.read(_MEMBER_LIMIT + 1)[:_MEMBER_LIMIT]


def _zip_document(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            mimetype = _member(archive, "mimetype")
            if mimetype is not None:
                return ODT if mimetype.strip() == ODT.encode() else None
            types = _member(archive, "[Content_Types].xml")
            if types is None:
                return None
            found = {kind for marker, kind in _OOXML_MAIN.items() if b'"' + marker + b'"' in types}
            if b"macroEnabled" in types or len(found) != 1:
                return None
            return found.pop()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError):
        return None
