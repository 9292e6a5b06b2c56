"""Mail follows each user's setting for its kind; the in-app notification is always kept.

immediately: today's outbox mail; never: none; daily: held back for the digest (kind and ref)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from marketplace.notifications import preferences
from marketplace.notifications.mail_templates import DISPUTE_TEMPLATES, TEMPLATES, programme_mail
from marketplace.notifications.models import DigestItem, Notification, OutboxMessage
from marketplace.notifications.notify import notify
from tests.factories import make_programme
from tests.marketplace.followups._factories import make_booking
from tests.marketplace.notifications._helpers import add_notes

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def _set(db, user, **choices):
    preferences.update(db, user.id, choices, now=T0)
    db.commit()


def _outbox(db):
    db.rollback()
    return list(db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _held(db):
    db.rollback()
    return [(i.user_id, i.mail_kind, i.ref) for i in db.execute(select(DigestItem).order_by(DigestItem.id)).scalars()]


def test_every_booking_and_dispute_mail_template_belongs_to_one_settable_kind():
    assert set(preferences.KIND_OF_TEMPLATE) == set(TEMPLATES) | set(DISPUTE_TEMPLATES)
    assert list(preferences.KINDS) == ["request", "decision", "message", "meeting", "followup_due", "waitlist_offer",
                                       "dispute"]
    assert set(preferences.KINDS["dispute"]) == set(DISPUTE_TEMPLATES)


@pytest.mark.parametrize("choice, mails, held", [("immediately", 1, 0), ("daily", 0, 1), ("never", 0, 0)])
def test_each_setting_decides_the_mail_and_the_note_is_always_kept(db, engine, staff_user, choice, mails, held):
    _set(db, staff_user, decision=choice)
    add_notes(engine, staff_user, 1, at=T0, kind="booking_approved")
    assert len(_outbox(db)) == mails
    assert _held(db) == ([(staff_user.id, "booking_approved", "B-2026-000001")] if held else [])
    assert db.execute(select(Notification).where(Notification.user_id == staff_user.id)).scalar_one().read_at is None


def test_a_setting_covers_only_its_own_kind_and_only_its_user(db, engine, staff_user, other_staff_user):
    _set(db, staff_user, decision="never")
    add_notes(engine, staff_user, 1, at=T0, kind="booking_message")  # kind "message": still immediately
    add_notes(engine, other_staff_user, 1, at=T0, kind="booking_approved")  # another user: default
    assert [m.recipient for m in _outbox(db)] == [staff_user.email, other_staff_user.email]


def test_mail_of_no_settable_kind_goes_at_once_whatever_the_settings(db, staff_user):
    for kind in preferences.KINDS:
        preferences.update(db, staff_user.id, {kind: "never"}, now=T0)
    notify(db, user=staff_user, message="Bekräfta insatsen.", now=T0, mail=programme_mail("programme_confirm_reminder", 7))
    db.commit()
    assert [m.subject for m in _outbox(db)] == ["Bekräfta insats nr 7"]


def test_a_real_message_on_a_booking_follows_the_recipients_settings(db, api, frozen_clock, staff_user, coordinator):
    """The collaboration flow's mail passes the same decision (no caller decides for itself)."""
    frozen_clock(T0)
    booking = make_booking(db, make_programme(db, organisation="AMF"), staff_user, status="approved")
    _set(db, coordinator, message="daily")
    assert api(staff_user).post(f"/api/v1/bookings/{booking.id}/messages", json={"body": "Hej"}).status_code == 201
    assert _outbox(db) == []
    assert _held(db) == [(coordinator.id, "booking_message", booking.ref)]
    _set(db, coordinator, message="never")
    assert api(staff_user).post(f"/api/v1/bookings/{booking.id}/messages", json={"body": "Hej igen"}).status_code == 201
    assert _outbox(db) == [] and len(_held(db)) == 1
    notes = db.execute(select(Notification).where(Notification.user_id == coordinator.id)).scalars().all()
    assert len(notes) == 2  # both kept in the app


def test_an_inactive_user_gets_the_note_but_no_mail_or_digest_item(db, engine, staff_user):
    _set(db, staff_user, decision="daily")
    staff_user.active = False
    db.merge(staff_user)
    db.commit()
    add_notes(engine, staff_user, 1, at=T0)
    assert _outbox(db) == [] and _held(db) == []
