"""The content check: a file's type comes from its bytes, never from its name."""

from __future__ import annotations

import io
import zipfile

import pytest

from marketplace.collaboration import sniff


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def ooxml(main: str) -> bytes:
    types = (f'<?xml version="1.0"?><Types><Override PartName="/x/main.xml" ContentType="{main}"/></Types>').encode()
    return zipped({"[Content_Types].xml": types, "x/main.xml": b"<x/>"})


DOCX = ooxml("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
XLSX = ooxml("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
ODT = zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20


@pytest.mark.parametrize(("data", "expected"), [
    (PDF, sniff.PDF), (PNG, sniff.PNG), (JPEG, sniff.JPEG), (DOCX, sniff.DOCX), (XLSX, sniff.XLSX), (ODT, sniff.ODT),
], ids=["pdf", "png", "jpeg", "docx", "xlsx", "odt"])
def test_accepted_formats_are_recognised_by_content(data, expected):
    assert sniff.detect(data) == expected


@pytest.mark.parametrize("data", [
    b"", b"hello, a text file named report.pdf", b"<html><script>alert(1)</script></html>", b"GIF89a....",
    b"MZ\x90\x00 an executable", b"PK\x03\x04 not really a zip",
    zipped({"readme.txt": b"plain zip"}),
    ooxml("application/vnd.ms-word.document.macroEnabled.main+xml"),  # .docm: macros
    ooxml("application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"),  # .pptx
    zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),  # .ods is not accepted
    zipped({"[Content_Types].xml": b"x" * (300 * 1024)}),  # an oversized control member
], ids=["empty", "text", "html", "gif", "exe", "fake-zip", "zip", "docm", "pptx", "ods", "huge-types"])
def test_anything_else_is_refused(data):
    assert sniff.detect(data) is None
