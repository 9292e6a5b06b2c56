"""Use cases of messages and documents. No Flask, no clock: time and the document folder
come in as arguments; the caller holds the transaction and has checked visibility."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from catalog.models import Organisation
from marketplace import audit
from marketplace.auth.models import User
from marketplace.auth.policy import Actor
from marketplace.bookings.public import Booking, booking_link, coordinators_of, requester_of
from marketplace.collaboration import sniff, storage
from marketplace.collaboration.models import BookingDocument, BookingMessage, DocumentKind
from marketplace.kernel.errors import Conflict, Invalid, TooLarge, UnsupportedType
from marketplace.notifications.mail_templates import mail
from marketplace.notifications.notify import notify

MESSAGE_MAX = 5000
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
FILENAME_MAX = 200


@dataclass(frozen=True)
class Author:
    name: str
    organisation_code: str


def _tell_other_side(session: Session, booking: Booking, provider_id: int, *, actor: Actor, note: str, now: datetime,
                     mail_kind: str) -> None:
    """The other side of the booking (everyone of it but the author) gets a note and the fixed mail."""
    buyer_side = [user for user in requester_of(session, booking) if user.active]
    provider_side = coordinators_of(session, provider_id)
    recipients = []
    if actor.organisation_id != booking.buyer_organisation_id:
        recipients += buyer_side
    if actor.organisation_id != provider_id:
        recipients += provider_side
    if actor.organisation_id == booking.buyer_organisation_id == provider_id:
        recipients = buyer_side + provider_side  # one organisation on both sides: everyone else of it
    for user in {user.id: user for user in recipients if user.id != actor.user_id}.values():
        notify(session, user=user, message=note, now=now, link=booking_link(booking), mail=mail(mail_kind, booking.ref))


def _not_erased(booking: Booking) -> None:
    """Nothing new once retention has erased the participant data (it would outlive it)."""
    if booking.personal_data_erased_at is not None:
        raise Conflict("Personuppgifterna är gallrade.", code="erased")


def post_message(session: Session, booking: Booking, provider_id: int, *, actor: Actor, body: str,
                 now: datetime) -> BookingMessage:
    """Add a message (1–5000 characters, not only blanks) and tell the other side."""
    _not_erased(booking)
    text = (body or "").replace("\r\n", "\n")
    if not text.strip():
        raise Invalid("Skriv ett meddelande.", field="body")
    if len(text) > MESSAGE_MAX:
        raise Invalid(f"Meddelandet får vara högst {MESSAGE_MAX} tecken.", field="body")
    message = BookingMessage(booking_id=booking.id, author_id=actor.user_id,
                             author_organisation_id=actor.organisation_id, body=text, created_at=now)
    session.add(message)
    session.flush()
    audit.record(session, actor=actor, action="booking.message", object_type="booking", object_id=booking.id,
                 now=now, details={"ref": booking.ref, "message_id": message.id})
    _tell_other_side(session, booking, provider_id, actor=actor, now=now, mail_kind="booking_message",
                     note=f"Nytt meddelande om placering {booking.ref} från {actor.organisation_name}.")
    return message


def clean_filename(name: str | None) -> str:
    """The uploaded name for display: its last path part, without control characters, at
    most 200 characters, never empty. Never used as a path."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if len(name) > FILENAME_MAX:
        stem, dot, extension = name.rpartition(".")
        name = (stem[: FILENAME_MAX - len(extension) - 1] + dot + extension) if dot and len(extension) <= 10 \
            else name[:FILENAME_MAX]
    return name or "dokument"


def add_document(session: Session, booking: Booking, provider_id: int, *, actor: Actor, data: bytes,
                 filename: str | None, kind: str, now: datetime, directory: Path) -> BookingDocument:
    """Check and store an upload: empty 422, over 10 MB 413, not an accepted type 415.

    The file is written (atomically, named by the new id) before the row commits; if the
    transaction fails afterwards the caller removes it (`discard_file`)."""
    _not_erased(booking)
    if kind not in {k.value for k in DocumentKind}:
        raise Invalid("Välj vilken sorts dokument det är.", field="kind")
    if not data:
        raise Invalid("Filen är tom.", field="file")
    if len(data) > DOCUMENT_MAX_BYTES:
        raise TooLarge("Filen är större än 10 MB.", field="file")
    content_type = sniff.detect(data)
    if content_type is None:
        raise UnsupportedType("Filen är inte PDF, DOCX, ODT, XLSX, PNG eller JPEG.", field="file")
    document = BookingDocument(
        booking_id=booking.id, kind=kind, filename=clean_filename(filename), size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), content_type=content_type, uploaded_by_id=actor.user_id,
        uploaded_by_organisation_id=actor.organisation_id, created_at=now)
    session.add(document)
    session.flush()
    storage.write(directory, document.id, data)
    audit.record(session, actor=actor, action="booking.document_upload", object_type="booking", object_id=booking.id,
                 now=now, details={"ref": booking.ref, "document_id": document.id, "kind": kind, "size": len(data)})
    _tell_other_side(session, booking, provider_id, actor=actor, now=now, mail_kind="booking_document",
                     note=f"Nytt dokument om placering {booking.ref} från {actor.organisation_name}.")
    return document


def discard_file(directory: Path, document: BookingDocument | None) -> None:
    if document is not None and document.id is not None:
        storage.remove(directory, document.id)


def record_read(session: Session, booking: Booking, *, actor: Actor, what: str, now: datetime, ip: str | None,
                via: str, **details) -> None:
    """Audit a read of the booking's messages, documents or one document (no content in the log)."""
    audit.record(session, actor=actor, action=f"booking.read_{what}", object_type="booking", object_id=booking.id,
                 now=now, ip=ip, details={"ref": booking.ref, "via": via, **details})


# --- reads ----------------------------------------------------------------------------------


def user_names(session: Session, user_ids: set[int], organisation_ids: set[int]):
    """A lookup (user id, organisation id) -> (name, organisation code), two reads in all."""
    users = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    codes = dict(session.execute(select(Organisation.id, Organisation.code)
                                 .where(Organisation.id.in_(organisation_ids))).all()) if organisation_ids else {}
    return lambda user_id, organisation_id: (users.get(user_id, ""), codes.get(organisation_id, ""))


def messages(session: Session, booking_id: int, *, offset: int = 0, limit: int = 100) -> tuple[list[tuple], int]:
    """(message, author) pairs, oldest first, and the total."""
    total = session.execute(select(func.count()).where(BookingMessage.booking_id == booking_id)).scalar_one()
    rows = list(session.execute(select(BookingMessage).where(BookingMessage.booking_id == booking_id)
                                .order_by(BookingMessage.id).offset(offset).limit(limit)).scalars())
    names = user_names(session, {m.author_id for m in rows}, {m.author_organisation_id for m in rows})
    return [(m, Author(*names(m.author_id, m.author_organisation_id))) for m in rows], total


def documents(session: Session, booking_id: int, *, offset: int = 0, limit: int = 100) -> tuple[list[tuple], int]:
    """(document, uploader) pairs, oldest first, and the total."""
    total = session.execute(select(func.count()).where(BookingDocument.booking_id == booking_id)).scalar_one()
    rows = list(session.execute(select(BookingDocument).where(BookingDocument.booking_id == booking_id)
                                .order_by(BookingDocument.id).offset(offset).limit(limit)).scalars())
    names = user_names(session, {d.uploaded_by_id for d in rows}, {d.uploaded_by_organisation_id for d in rows})
    return [(d, Author(*names(d.uploaded_by_id, d.uploaded_by_organisation_id))) for d in rows], total


def document(session: Session, booking_id: int, document_id: int) -> BookingDocument | None:
    found = session.get(BookingDocument, document_id) if 0 < document_id <= 2**31 - 1 else None
    return found if found is not None and found.booking_id == booking_id else None


# --- retention ------------------------------------------------------------------------------


def erase_for_booking(session: Session, booking_id: int, *, directory: Path | None) -> tuple[int, int]:
    """Delete the booking's messages and documents (rows and files); returns (messages, documents).

    Files go at once: if the transaction then fails, the rows stay and their download answers
    404; the next erasure removes the rows."""
    document_ids = list(session.execute(select(BookingDocument.id).where(BookingDocument.booking_id == booking_id)).scalars())
    erased_messages = session.execute(delete(BookingMessage).where(BookingMessage.booking_id == booking_id)).rowcount
    session.execute(delete(BookingDocument).where(BookingDocument.booking_id == booking_id))
    for document_id in document_ids if directory is not None else ():
        storage.remove(directory, document_id)
    return erased_messages, len(document_ids)
