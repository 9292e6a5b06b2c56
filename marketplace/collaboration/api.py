"""JSON API of messages and documents per booking (API.md, Messages and documents).

Only the buyer's staff and the provider's coordinators (policy.can_see_participant) get
anything; everyone else 404. Every read is audited."""

from __future__ import annotations

from flask import request
from flask_openapi3 import APIBlueprint, Tag

from marketplace.auth.policy import Actor
from marketplace.bookings.public import get_collaborating_booking
from marketplace.collaboration import flow, storage, web
from marketplace.collaboration.models import BookingDocument, BookingMessage
from marketplace.collaboration.schemas import (
    BookingPath, DocumentForm, DocumentList, DocumentOut, DocumentPath, MessageIn, MessageList, MessageOut, PageQuery,
)
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError
from marketplace.kernel.problems import Problem

api = APIBlueprint("collaboration_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="messages and documents")])
api.record_once(web.install_upload_limit)
SECURITY = [{"bearer": []}]
NOT_VISIBLE = "No such booking."


def _booking(booking_id: int):
    actor = http.require_api_actor()
    session = http.request_session()
    found = get_collaborating_booking(session, actor, booking_id)
    if found is None:
        raise http.ApiError(404, NOT_VISIBLE)
    return actor, session, *found


def _person(author) -> dict:
    return {"name": author.name, "organisation_code": author.organisation_code}


def message_document(message: BookingMessage, author) -> dict:
    return MessageOut(id=message.id, author=_person(author), body=message.body,
                      created_at=message.created_at).model_dump(mode="json")


def document_document(document: BookingDocument, uploader) -> dict:
    return DocumentOut(id=document.id, filename=document.filename, kind=document.kind, size=document.size,
                       sha256=document.sha256, content_type=document.content_type, uploaded_by=_person(uploader),
                       created_at=document.created_at).model_dump(mode="json")


def _audit(session, booking, actor: Actor, what: str, **details) -> None:
    with transaction(session, write_lock=True):
        flow.record_read(session, booking, actor=actor, what=what, now=clock.now(), ip=http.client_ip(), via="api",
                         **details)


@api.get("/bookings/<int:id>/messages", responses={200: MessageList, 401: Problem, 404: Problem, 422: Problem},
         security=SECURITY)
def list_messages(path: BookingPath, query: PageQuery):
    """The booking's messages, oldest first (buyer's staff and provider's coordinators)."""
    actor, session, booking, _provider = _booking(path.id)
    rows, total = flow.messages(session, booking.id, offset=(query.page - 1) * query.per_page, limit=query.per_page)
    _audit(session, booking, actor, "messages")
    return {"items": [message_document(m, a) for m, a in rows], "total": total, "page": query.page,
            "per_page": query.per_page}


@api.post("/bookings/<int:id>/messages", responses={201: MessageOut, 401: Problem, 404: Problem, 422: Problem},
          security=SECURITY)
def post_message(path: BookingPath, body: MessageIn):
    """Write a message; the other side gets a note and a mail that names only the booking ref."""
    actor, session, booking, provider = _booking(path.id)
    with transaction(session, write_lock=True):
        message = flow.post_message(session, booking, provider, actor=actor, body=body.body, now=clock.now())
    return message_document(message, flow.Author(actor.name, actor.organisation_code)), 201


@api.get("/bookings/<int:id>/documents", responses={200: DocumentList, 401: Problem, 404: Problem, 422: Problem},
         security=SECURITY)
def list_documents(path: BookingPath, query: PageQuery):
    """The booking's documents, oldest first (metadata; the bytes at …/documents/{document_id})."""
    actor, session, booking, _provider = _booking(path.id)
    rows, total = flow.documents(session, booking.id, offset=(query.page - 1) * query.per_page, limit=query.per_page)
    _audit(session, booking, actor, "documents")
    return {"items": [document_document(d, a) for d, a in rows], "total": total, "page": query.page,
            "per_page": query.per_page}


@api.post("/bookings/<int:id>/documents",
          responses={201: DocumentOut, 401: Problem, 404: Problem, 413: Problem, 415: Problem, 422: Problem},
          security=SECURITY)
def upload_document(path: BookingPath, form: DocumentForm):
    """Upload a file (multipart: file, kind). PDF, DOCX, ODT, XLSX, PNG or JPEG decided by the
    content, not the name (else 415); at most 10 MB (else 413); an empty file is 422."""
    actor, session, booking, provider = _booking(path.id)
    upload = request.files.get("file")
    if upload is None:
        raise http.ApiError(422, "Send the document as the multipart part `file`.", kind="validation",
                            errors=[("file", "a file part is required")])
    data = upload.stream.read(flow.DOCUMENT_MAX_BYTES + 1)
    directory = http.settings().resolved_document_dir()
    document = None
    try:
        with transaction(session, write_lock=True):
            document = flow.add_document(session, booking, provider, actor=actor, data=data, filename=upload.filename,
                                         kind=form.kind, now=clock.now(), directory=directory)
    except DomainError:
        raise
    except BaseException:
        flow.discard_file(directory, document)
        raise
    return document_document(document, flow.Author(actor.name, actor.organisation_code)), 201


@api.get("/bookings/<int:id>/documents/<int:document_id>",
         responses={200: None, 401: Problem, 404: Problem}, security=SECURITY)
def download_document(path: DocumentPath):
    """The document's bytes as an attachment, with its stored content type and nosniff."""
    actor, session, booking, _provider = _booking(path.id)
    document = flow.document(session, booking.id, path.document_id)
    data = storage.read(http.settings().resolved_document_dir(), document.id) if document else None
    if data is None:
        raise http.ApiError(404, "No such document.")
    _audit(session, booking, actor, "document", document_id=document.id)
    return web.download(document, data)


web.UPLOAD_ENDPOINTS.add("collaboration_api.upload_document")
