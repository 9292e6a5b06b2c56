"""The notifications pages: the header's unread count, the list with mark-read forms (no
JavaScript needed) and the mail settings form under the account pages."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import event, select

from marketplace.notifications.models import Notification, NotificationSetting
from tests.marketplace.notifications._helpers import add_notes

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _header(html: str) -> str:
    return html.split("<header", 1)[1].split("</header>", 1)[0]


def test_the_header_shows_the_unread_count_and_links_to_the_list(login, client, engine, staff_user, other_staff_user):
    add_notes(engine, staff_user, 3, at=T0)
    add_notes(engine, other_staff_user, 2, at=T0)
    header = _header(login(staff_user).get("/").get_data(as_text=True))
    assert re.search(r'<a class="notice-link" href="/aviseringar">Aviseringar<span class="visually-hidden">, </span>'
                     r'<span class="notice-count">3 olästa</span></a>',
                     header), header


def test_no_count_when_all_are_read_and_none_signed_out(login, client, engine, staff_user):
    header = _header(login(staff_user).get("/").get_data(as_text=True))
    assert "Aviseringar" in header and "oläst" not in header
    client.post("/logga-ut")
    assert "Aviseringar" not in _header(client.get("/logga-in").get_data(as_text=True))


def test_the_header_count_is_one_count_statement(login, engine, staff_user):
    add_notes(engine, staff_user, 2, at=T0)
    page = login(staff_user)
    seen = []

    def statement(_connection, _cursor, sql, *_args):
        if "notification" in sql and "count(" in sql.lower():
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", statement)
    try:
        page.get("/placeringar")
    finally:
        event.remove(engine, "before_cursor_execute", statement)
    assert len(seen) == 1 and "read_at IS NULL" in seen[0], seen


def test_mark_one_and_all_read_with_plain_forms(login, db, engine, staff_user):
    first, second = add_notes(engine, staff_user, 2, at=T0)
    page = login(staff_user)
    html = page.get("/aviseringar").get_data(as_text=True)
    assert "Förfrågan B-2026-000001 är godkänd." in html and html.count("Markera som läst") == 2
    assert f'action="/aviseringar/{first}/last"' in html and 'action="/aviseringar/las-alla"' in html
    response = page.post(f"/aviseringar/{first}/last", data={"next": "/aviseringar"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/aviseringar")
    assert "1 oläst" in _header(page.get("/aviseringar").get_data(as_text=True))
    unread_only = page.get("/aviseringar?visa=olasta").get_data(as_text=True)
    assert "B-2026-000002" in unread_only and "B-2026-000001" not in unread_only
    page.post("/aviseringar/las-alla")
    db.rollback()
    assert all(n.read_at is not None for n in db.execute(select(Notification)).scalars())
    assert "Du har inga olästa aviseringar." in page.get("/aviseringar?visa=olasta").get_data(as_text=True)


def test_another_users_notification_cannot_be_marked_from_the_page(login, db, engine, staff_user, other_staff_user):
    theirs = add_notes(engine, other_staff_user, 1, at=T0)[0]
    assert login(staff_user).post(f"/aviseringar/{theirs}/last").status_code == 404
    db.rollback()
    assert db.get(Notification, theirs).read_at is None


def test_the_settings_form_saves_and_refuses_a_wrong_value(login, db, staff_user):
    page = login(staff_user)
    html = page.get("/konto/aviseringar").get_data(as_text=True)
    assert "<legend" in html and "Nya meddelanden och dokument" in html and "En gång om dagen (kl. 07.00)" in html
    assert "Tvister om fakturering" in html
    choices = {"request": "immediately", "decision": "daily", "message": "never", "meeting": "immediately",
               "followup_due": "immediately", "waitlist_offer": "daily", "dispute": "never"}
    response = page.post("/konto/aviseringar", data=choices)
    assert response.status_code == 302
    db.rollback()
    saved = {s.kind: s.mail for s in db.execute(select(NotificationSetting)).scalars()}
    assert saved == {"decision": "daily", "message": "never", "waitlist_offer": "daily", "dispute": "never"}
    refused = page.post("/konto/aviseringar", data={**choices, "decision": "weekly", "meeting": ""})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Rätta följande" in text and 'href="#meeting"' in text and 'href="#decision"' in text
    db.rollback()
    assert {s.kind: s.mail for s in db.execute(select(NotificationSetting)).scalars()} == saved


def test_the_pages_in_english(login, client, staff_user):
    page = login(staff_user)
    page.post("/sprak/en", data={"next": "/"})
    html = page.get("/konto/aviseringar").get_data(as_text=True)
    assert "Notification settings" in html and "Once a day (07:00)" in html
    assert "Notifications" in page.get("/aviseringar").get_data(as_text=True)


def test_a_failing_count_leaves_the_page_standing_without_it(login, engine, staff_user, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from marketplace.notifications import inbox

    add_notes(engine, staff_user, 1, at=T0)
    page = login(staff_user)

    def locked(*_args, **_kwargs):
        raise OperationalError("SELECT count(*) FROM notification", {}, Exception("database is locked"))

    monkeypatch.setattr(inbox, "unread_count", locked)
    response = page.get("/placeringar")
    assert response.status_code == 200
    header = _header(response.get_data(as_text=True))
    assert "Aviseringar" in header and "oläst" not in header
