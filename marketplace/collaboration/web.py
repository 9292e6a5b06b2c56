"""What the API and the pages share: the upload limit and the download response."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, request

from marketplace.collaboration.flow import DOCUMENT_MAX_BYTES
from marketplace.collaboration.models import BookingDocument

# The whole request may be a little larger than the file (the multipart frame and the fields).
UPLOAD_REQUEST_MAX = DOCUMENT_MAX_BYTES + 256 * 1024
UPLOAD_ENDPOINTS: set[str] = set()


def allow_large_uploads() -> None:
    """Before any hook reads the body (the CSRF check does): the upload routes take up to 10 MB."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_REQUEST_MAX


def install_upload_limit(state) -> None:
    """Blueprint record hook: run allow_large_uploads first, before the app's own hooks."""
    funcs = state.app.before_request_funcs.setdefault(None, [])
    if allow_large_uploads not in funcs:
        funcs.insert(0, allow_large_uploads)


def content_disposition(filename: str) -> str:
    """RFC 6266 attachment with an ASCII fallback and the exact name as RFC 5987 UTF-8."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in filename) or "dokument"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(document: BookingDocument, data: bytes) -> Response:
    response = Response(data, status=200, mimetype=document.content_type)
    response.headers["Content-Type"] = document.content_type  # as stored: no charset added
    response.headers["Content-Disposition"] = content_disposition(document.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
