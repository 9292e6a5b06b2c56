"""Messages and documents per booking: API, pages, need-to-know, audit, retention, backup."""

from __future__ import annotations

import io
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditLog
from marketplace.collaboration.models import BookingDocument, BookingMessage
from marketplace.notifications.models import Notification, OutboxMessage
from tests.factories import make_programme, make_user
from tests.marketplace.collaboration.test_sniff import DOCX, PDF, PNG
from tests.marketplace.followups._factories import make_booking

SECRET = "Deltagaren Nora mår dåligt"


@pytest.fixture
def world(db, app, frozen_clock, staff_user, coordinator):
    frozen_clock("2026-03-02T10:00:00+01:00")
    programme = make_programme(db, organisation="AMF")
    booking = make_booking(db, programme, staff_user, status="approved")
    return booking


def _actions(db, action):
    db.rollback()
    return list(db.execute(select(AuditLog).where(AuditLog.action == action)).scalars())


def test_message_round_trip_notifies_the_other_side_without_the_text(db, api, world, staff_user, coordinator):
    staff, coord = api(staff_user), api(coordinator)
    created = staff.post(f"/api/v1/bookings/{world.id}/messages", json={"body": SECRET})
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["body"] == SECRET and body["author"] == {"name": staff_user.name, "organisation_code": "RK"}
    assert set(body) == {"id", "author", "body", "created_at"}
    assert coord.post(f"/api/v1/bookings/{world.id}/messages", json={"body": "Svar"}).status_code == 201
    listed = coord.get(f"/api/v1/bookings/{world.id}/messages").get_json()
    assert [m["body"] for m in listed["items"]] == [SECRET, "Svar"]  # oldest first
    assert (listed["total"], listed["page"], listed["per_page"]) == (2, 1, 50)
    assert coord.get(f"/api/v1/bookings/{world.id}/messages?per_page=1&page=2").get_json()["items"][0]["body"] == "Svar"
    db.rollback()
    mails = list(db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
    assert [(m.recipient, m.subject) for m in mails] == [
        (coordinator.email, f"Nytt meddelande: {world.ref}"), (staff_user.email, f"Nytt meddelande: {world.ref}")]
    assert all("Nora" not in m.body and "Svar" not in m.body for m in mails)
    notes = list(db.execute(select(Notification).where(Notification.user_id == coordinator.id)).scalars())
    assert notes and notes[0].link == f"/placeringar/{world.id}"
    assert len(_actions(db, "booking.read_messages")) == 2


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 5001])
def test_message_length_is_1_to_5000(api, world, staff_user, text):
    response = api(staff_user).post(f"/api/v1/bookings/{world.id}/messages", json={"body": text})
    assert response.status_code == 422
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_exactly_5000_characters_is_accepted(api, world, staff_user):
    assert api(staff_user).post(f"/api/v1/bookings/{world.id}/messages", json={"body": "å" * 5000}).status_code == 201


def test_everyone_else_gets_404(db, api, world, staff_user, other_staff_user, other_coordinator, finance_user, admin_user):
    api(staff_user).post(f"/api/v1/bookings/{world.id}/messages", json={"body": SECRET})
    for user in (other_staff_user, other_coordinator, finance_user, admin_user):
        caller = api(user)
        for path in ("messages", "documents", "documents/1"):
            assert caller.get(f"/api/v1/bookings/{world.id}/{path}").status_code == 404, (user.email, path)
        assert caller.post(f"/api/v1/bookings/{world.id}/messages", json={"body": "x"}).status_code == 404
        response = caller.post(f"/api/v1/bookings/{world.id}/documents",
                               data={"kind": "other", "file": (io.BytesIO(PDF), "a.pdf")})
        assert response.status_code == 404
    assert api(None).get(f"/api/v1/bookings/{world.id}/messages").status_code == 401


def _upload(caller, booking_id, data, name="plan.pdf", kind="work_plan"):
    """A multipart upload built here, as one body (the test client would spool a large one to a file)."""
    boundary = "----matrixboundary7d2"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\n{kind}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return caller.post(f"/api/v1/bookings/{booking_id}/documents", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_document_upload_list_and_download(db, api, world, settings, staff_user, coordinator):
    import hashlib

    created = _upload(api(staff_user), world.id, PDF, name="../Arbetsplan Nöra v2%.pdf")
    assert created.status_code == 201, created.get_data(as_text=True)
    document = created.get_json()
    assert document["content_type"] == "application/pdf" and document["size"] == len(PDF)
    assert document["sha256"] == hashlib.sha256(PDF).hexdigest() and document["kind"] == "work_plan"
    assert document["filename"] == "Arbetsplan Nöra v2%.pdf"  # no path part
    assert document["uploaded_by"] == {"name": staff_user.name, "organisation_code": "RK"}
    stored = settings.resolved_document_dir() / str(document["id"])
    assert stored.read_bytes() == PDF  # named by id, never by the uploaded name
    assert not list(settings.resolved_document_dir().glob(".upload-*"))
    coord = api(coordinator)
    assert [d["id"] for d in coord.get(f"/api/v1/bookings/{world.id}/documents").get_json()["items"]] == [document["id"]]
    download = coord.get(f"/api/v1/bookings/{world.id}/documents/{document['id']}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    disposition = download.headers["Content-Disposition"]
    assert disposition == "attachment; filename=\"Arbetsplan N_ra v2_.pdf\"; filename*=UTF-8''Arbetsplan%20N%C3%B6ra%20v2%25.pdf"
    assert len(_actions(db, "booking.read_document")) == 1 and len(_actions(db, "booking.read_documents")) == 1
    # another booking's id, or an unknown one: 404
    assert coord.get(f"/api/v1/bookings/{world.id}/documents/{document['id'] + 1}").status_code == 404
    db.rollback()
    assert db.execute(select(OutboxMessage.subject)).scalars().all() == [f"Nytt dokument: {world.ref}"]


def test_type_comes_from_content_not_name(api, world, staff_user):
    caller = api(staff_user)
    assert _upload(caller, world.id, b"<html>not a pdf</html>", name="report.pdf").status_code == 415
    assert _upload(caller, world.id, PNG, name="photo.exe").get_json()["content_type"] == "image/png"
    assert _upload(caller, world.id, DOCX, name="plan").get_json()["content_type"].endswith("wordprocessingml.document")


def test_empty_too_large_and_bad_kind(api, world, staff_user, settings):
    caller = api(staff_user)
    assert _upload(caller, world.id, b"").status_code == 422
    assert _upload(caller, world.id, PDF, kind="secret").status_code == 422
    big = PDF + b"0" * (10 * 1024 * 1024)
    too_large = _upload(caller, world.id, big)
    assert too_large.status_code == 413
    assert too_large.headers["Content-Type"].startswith("application/problem+json")
    assert _upload(caller, world.id, PDF + b"0" * (9 * 1024 * 1024)).status_code == 201  # over the 5 MB form limit
    assert _upload(caller, world.id, PDF + b"0" * (30 * 1024 * 1024)).status_code == 413
    assert len(list(settings.resolved_document_dir().iterdir())) == 1


def test_pages_show_and_take_messages_and_documents(db, app, login, client, world, staff_user, coordinator):
    login(staff_user)
    page = client.get(f"/placeringar/{world.id}")
    html = page.get_data(as_text=True)
    assert 'id="h-messages"' in html and 'id="h-documents"' in html and 'enctype="multipart/form-data"' in html
    sent = client.post(f"/placeringar/{world.id}/meddelanden", data={"body": SECRET})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/placeringar/{world.id}#meddelanden")
    refused = client.post(f"/placeringar/{world.id}/meddelanden", data={"body": ""})
    assert refused.status_code == 422 and "Skriv ett meddelande." in refused.get_data(as_text=True)
    uploaded = client.post(f"/placeringar/{world.id}/dokument", data={"kind": "report", "file": (io.BytesIO(PDF), "r.pdf")},
                           content_type="multipart/form-data")
    assert uploaded.status_code == 302
    wrong = client.post(f"/placeringar/{world.id}/dokument", data={"kind": "report", "file": (io.BytesIO(b"text"), "r.pdf")},
                        content_type="multipart/form-data")
    assert wrong.status_code == 415 and "PDF, DOCX, ODT, XLSX, PNG eller JPEG" in wrong.get_data(as_text=True)
    html = client.get(f"/placeringar/{world.id}").get_data(as_text=True)
    assert SECRET in html and "r.pdf" in html and "Rapport" in html
    document = db.execute(select(BookingDocument)).scalar_one()
    download = client.get(f"/placeringar/{world.id}/dokument/{document.id}")
    assert download.data == PDF and download.headers["Content-Disposition"].startswith("attachment;")
    client.post("/sprak/en")
    english = client.get(f"/placeringar/{world.id}").get_data(as_text=True)
    assert "Messages" in english and "Documents" in english and "Send the message" in english


def test_pages_are_404_for_others(app, login, client, world, other_staff_user):
    login(other_staff_user)
    assert client.post(f"/placeringar/{world.id}/meddelanden", data={"body": "x"}).status_code == 404
    assert client.get(f"/placeringar/{world.id}/dokument/1").status_code == 404


def test_erasure_removes_messages_and_document_files(db, api, world, settings, staff_user, admin_user):
    from marketplace import privacy

    caller = api(staff_user)
    caller.post(f"/api/v1/bookings/{world.id}/messages", json={"body": SECRET})
    document_id = _upload(caller, world.id, PDF).get_json()["id"]
    path = settings.resolved_document_dir() / str(document_id)
    assert path.exists()
    db.rollback()
    booking = db.get(type(world), world.id)
    privacy.erase_personal_data(db, booking, actor=None, basis="retention", reason="test",
                                now=datetime(2027, 6, 1, tzinfo=timezone.utc), document_dir=settings.resolved_document_dir())
    db.commit()
    assert db.execute(select(BookingMessage)).scalars().all() == []
    assert db.execute(select(BookingDocument)).scalars().all() == []
    assert not path.exists()
    erase = _actions(db, "booking.erase_personal_data")[0]
    assert (erase.details["messages"], erase.details["documents"]) == (1, 1)
    # nothing new after the erasure: it would outlive the participant data
    assert caller.post(f"/api/v1/bookings/{world.id}/messages", json={"body": "x"}).status_code == 409
    assert _upload(caller, world.id, PDF).status_code == 409
    assert caller.get(f"/api/v1/bookings/{world.id}/messages").get_json()["items"] == []


def test_retention_job_passes_the_document_folder(db, api, engine, world, settings, staff_user):
    from marketplace.privacy.retention_job import erase_expired_personal_data
    from marketplace.scheduler import JobContext
    from tests.marketplace.followups._factories import make_booking as _make
    from catalog.models import Programme

    db.rollback()
    programme = db.get(Programme, world.programme_id)
    ended = _make(db, programme, staff_user, status="ended", start=datetime(2025, 1, 6).date(), end=datetime(2025, 2, 28).date())
    document_id = _upload(api(staff_user), ended.id, PDF).get_json()["id"]
    assert erase_expired_personal_data(JobContext(engine, settings, datetime(2026, 6, 1, tzinfo=timezone.utc))) >= 1
    assert not (settings.resolved_document_dir() / str(document_id)).exists()


def test_backup_and_restore_include_the_documents(tmp_path, api, world, settings, staff_user):
    from marketplace.operations.backup import backup_documents, restore_documents

    document_id = _upload(api(staff_user), world.id, PDF).get_json()["id"]
    folder = settings.resolved_document_dir()
    (folder / ".upload-x.partial").write_bytes(b"half")
    archive = backup_documents(folder, tmp_path / "db.backup")
    assert archive.name == "db.backup.documents.tar"
    (folder / str(document_id)).unlink()
    (folder / "999").write_bytes(b"after the backup")
    assert restore_documents(folder, tmp_path / "db.backup") == 1
    assert sorted(p.name for p in folder.iterdir()) == [str(document_id)]
    assert (folder / str(document_id)).read_bytes() == PDF
    assert restore_documents(folder, tmp_path / "other.backup") is None  # no archive: folder left alone


def test_uploaded_names_are_cleaned_and_encoded_safely():
    from marketplace.collaboration.flow import clean_filename
    from marketplace.collaboration.web import content_disposition

    assert clean_filename("C:\\Users\\a\\plan\r\n.pdf") == "plan.pdf"
    assert clean_filename("\x00\x1b") == "dokument" and clean_filename(None) == "dokument"
    assert len(clean_filename("a" * 300 + ".docx")) == 200 and clean_filename("a" * 300 + ".docx").endswith(".docx")
    assert content_disposition('x"; filename=evil.html') == (
        "attachment; filename=\"x__ filename=evil.html\"; filename*=UTF-8''x%22%3B%20filename%3Devil.html")


def test_the_openapi_document_lists_every_route(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/bookings/{id}/messages"])
    assert {"get", "post"} <= set(paths["/api/v1/bookings/{id}/documents"])
    assert "get" in paths["/api/v1/bookings/{id}/documents/{document_id}"]
    upload = paths["/api/v1/bookings/{id}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"201", "413", "415", "422"} <= set(upload["responses"])
