"""The booking page's Messages and Documents sections, their forms and the download.

The sections are drawn by templates/marketplace/collaboration/_booking_section.html, which
the booking page includes; collaboration_section() checks the need-to-know rule itself, so
including it can never leak a booking, and audits the read. A refused form is shown again
on its own page (422) with the text kept and the errors beside the fields.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.bookings.public import get_collaborating_booking
from marketplace.collaboration import flow, storage, web
from marketplace.collaboration.forms import KIND_LABELS, DocumentForm, MessageForm
from marketplace.kernel import clock, http
from marketplace.kernel.db import transaction
from marketplace.kernel.errors import DomainError

bp = Blueprint("collaboration", __name__)
bp.record_once(web.install_upload_limit)
# Enough for any placement's conversation; older messages stay in the API's pages.
PAGE_ITEMS = 200


def _actor():
    actor = http.current_actor()
    if actor is None:
        abort(401)
    return actor


def _visible(session, actor, booking_id: int):
    return get_collaborating_booking(session, actor, booking_id) or abort(404)


def _section(session, actor, booking, *, message_form=None, document_form=None, audit: bool = True) -> dict:
    messages, message_total = flow.messages(session, booking.id, limit=PAGE_ITEMS)
    documents, document_total = flow.documents(session, booking.id, limit=PAGE_ITEMS)
    if audit:
        with transaction(session, write_lock=True):
            for what in ("messages", "documents"):
                flow.record_read(session, booking, actor=actor, what=what, now=clock.now(), ip=http.client_ip(),
                                 via="page")
    return {"visible": True, "booking": booking, "messages": messages, "message_total": message_total,
            "documents": documents, "document_total": document_total, "kind_labels": KIND_LABELS,
            "message_form": message_form or MessageForm(formdata=None),
            "document_form": document_form or DocumentForm(formdata=None),
            "stamp": lambda at: clock.local(at).strftime("%Y-%m-%d %H:%M")}


@bp.app_template_global()
def collaboration_section(booking) -> dict:
    """Data for the booking page's Messages and Documents; {"visible": False} for anyone else."""
    actor, session = http.current_actor(), http.request_session()
    found = get_collaborating_booking(session, actor, booking.id) if actor is not None else None
    if found is None:
        return {"visible": False}
    return _section(session, actor, found[0])


def _again(session, actor, booking, status: int, **forms):
    return render_template("marketplace/collaboration/form_again.html", booking=booking,
                           collaboration=_section(session, actor, booking, **forms)), status


@bp.post("/placeringar/<int:booking_id>/meddelanden")
@login_required
def post_message(booking_id: int):
    actor = _actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, booking_id)
    form = MessageForm()
    if not form.validate_on_submit():
        return _again(session, actor, booking, 422, message_form=form)
    try:
        with transaction(session, write_lock=True):
            flow.post_message(session, booking, provider, actor=actor, body=form.body.data, now=clock.now())
    except DomainError as error:
        if error.code == "erased":
            flash(_("Personuppgifterna är gallrade."), "error")
            return redirect(url_for("bookings.detail", booking_id=booking.id))
        form.body.errors = [*form.body.errors, _("Skriv ett meddelande på högst 5000 tecken.")]
        return _again(session, actor, booking, 422, message_form=form)
    flash(_("Meddelandet är skickat. Den andra parten får besked."), "success")
    return redirect(url_for("bookings.detail", booking_id=booking.id, _anchor="meddelanden"))


def _upload_error(error: DomainError) -> str:
    return {
        "too_large": _("Filen är större än 10 MB."),
        "unsupported_type": _("Filen måste vara PDF, DOCX, ODT, XLSX, PNG eller JPEG. Det avgörs av innehållet, inte av namnet."),
    }.get(error.code, _("Filen är tom.") if error.field == "file" else _("Välj vilken sorts dokument det är."))


@bp.post("/placeringar/<int:booking_id>/dokument")
@login_required
def upload_document(booking_id: int):
    actor = _actor()
    session = http.request_session()
    booking, provider = _visible(session, actor, booking_id)
    form = DocumentForm()
    if not form.validate_on_submit():
        return _again(session, actor, booking, 422, document_form=form)
    data = form.file.data.stream.read(flow.DOCUMENT_MAX_BYTES + 1)
    directory = http.settings().resolved_document_dir()
    document = None
    try:
        with transaction(session, write_lock=True):
            document = flow.add_document(session, booking, provider, actor=actor, data=data,
                                         filename=form.file.data.filename, kind=form.kind.data, now=clock.now(),
                                         directory=directory)
    except DomainError as error:
        if error.code == "erased":
            flash(_("Personuppgifterna är gallrade."), "error")
            return redirect(url_for("bookings.detail", booking_id=booking.id))
        target = form.file if error.field == "file" else form.kind
        target.errors = [*target.errors, _upload_error(error)]
        return _again(session, actor, booking, error.status, document_form=form)
    except BaseException:
        flow.discard_file(directory, document)
        raise
    flash(_("Dokumentet är uppladdat."), "success")
    return redirect(url_for("bookings.detail", booking_id=booking.id, _anchor="dokument"))


@bp.get("/placeringar/<int:booking_id>/dokument/<int:document_id>")
@login_required
def download_document(booking_id: int, document_id: int):
    actor = _actor()
    session = http.request_session()
    booking, _provider = _visible(session, actor, booking_id)
    document = flow.document(session, booking.id, document_id)
    data = storage.read(http.settings().resolved_document_dir(), document.id) if document else None
    if data is None:
        abort(404)
    with transaction(session, write_lock=True):
        flow.record_read(session, booking, actor=actor, what="document", now=clock.now(), ip=http.client_ip(),
                         via="page", document_id=document.id)
    return web.download(document, data)


web.UPLOAD_ENDPOINTS.add("collaboration.upload_document")
