"""Disputes by mail: raising, answering and the credit reach both sides' people as their
"dispute" setting says (now, in the morning digest, or never; the note is always kept), never
the person acting, and never with the reason or note anyone typed."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from marketplace.notifications import preferences
from marketplace.notifications.jobs import send_daily_digests
from marketplace.notifications.models import DigestItem, Notification, OutboxMessage
from marketplace.scheduler import JobContext
from tests.billing.disputes._helpers import BASE, close, march_to_april, users

NEXT_MORNING = datetime(2026, 4, 4, 5, 0, tzinfo=timezone.utc)  # 07:00 in Stockholm (CEST)
HOSTILE = "ZQX-7731\r\nBcc: ute@example.com\r\n<script>alert(1)</script><b>fet</b>"


@pytest.fixture
def people(db):
    return users(db)


def _set(db, person, choice: str) -> None:
    preferences.update(db, person.id, {"dispute": choice}, now=datetime(2026, 4, 1, tzinfo=timezone.utc))
    db.commit()


def _mails(db) -> list[OutboxMessage]:
    db.rollback()
    return list(db.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def _held(db) -> list[tuple[int, str, str]]:
    db.rollback()
    return [(i.user_id, i.mail_kind, i.ref) for i in db.execute(select(DigestItem).order_by(DigestItem.id)).scalars()]


def _noted(db) -> set[int]:
    db.rollback()
    return set(db.execute(select(Notification.user_id)).scalars())


def _raise(api, person, ref, reason="Platsen stod tom halva mars."):
    response = api(person).post(BASE, json={"booking_ref": ref, "period": "2026-03", "reason": reason})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def _resolve(api, person, dispute_id, **body):
    response = api(person).post(f"{BASE}/{dispute_id}/resolve", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_raising_mails_each_person_of_both_sides_as_their_setting_says_but_not_the_raiser(
        db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, 6, 0, tzinfo=timezone.utc))
    _set(db, people["provider_coordinator"], "daily")
    _set(db, people["buyer_coordinator"], "never")
    frozen_clock("2026-04-03T09:00:00+02:00")

    dispute = _raise(api, people["buyer_finance"], booking.ref)

    mails = _mails(db)
    assert [m.recipient for m in mails] == ["ekonom.amf@test.se"]  # provider finance: immediately (the default)
    assert mails[0].subject == f"Bestridd fakturering: {booking.ref} 2026-03"
    assert f"Faktureringen av {booking.ref} för 2026-03 är bestridd (tvist nr {dispute['id']})." in mails[0].body
    assert _held(db) == [(people["provider_coordinator"].id, "dispute_raised", f"{booking.ref} 2026-03")]
    # never: no mail, but the note is there; the raiser is told nothing; bystanders nothing
    told = _noted(db)
    assert {people[k].id for k in ("provider_finance", "provider_coordinator", "buyer_coordinator")} == told

    # The next morning's digest carries the line, kind and ref only.
    assert send_daily_digests(JobContext(engine=engine, settings=settings, now=NEXT_MORNING)) == 1
    digest = _mails(db)[-1]
    assert digest.recipient == "coord.amf@test.se"
    assert f"- Bestridd fakturering: {booking.ref} 2026-03" in digest.body


def test_answering_and_the_credit_mail_the_buyer_side_and_the_credit_both_sides(
        db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, 6, 0, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_staff"], booking.ref)
    _set(db, people["buyer_coordinator"], "daily")
    _set(db, people["provider_coordinator"], "never")
    before = len(_mails(db))

    _resolve(api, people["provider_finance"], dispute["id"], decision="accepted", note="Stämmer.", credit="1234.50")

    answered = _mails(db)[before:]
    # The raiser (staff) and the buyer's finance now; the buyer's coordinator in the digest;
    # the provider's coordinator never; the provider's finance answered and gets nothing.
    assert sorted(m.recipient for m in answered) == ["ekonom.rk@test.se", "staff.rk@test.se"]
    for message in answered:
        assert message.subject == f"Tvist godkänd med kreditering: {booking.ref} 2026-03"
        assert (f"Tvist nr {dispute['id']} om {booking.ref} för 2026-03 är godkänd med en kreditering på 1234,50 kr"
                in message.body)
    assert (people["buyer_coordinator"].id, "dispute_credit_agreed", f"{booking.ref} 2026-03") in _held(db)

    close(engine, settings, "2026-04", datetime(2026, 5, 2, 6, 0, tzinfo=timezone.utc))
    credited = _mails(db)[before + len(answered):]
    # The close acts for no one: everyone concerned whose setting is immediately.
    assert sorted(m.recipient for m in credited) == ["ekonom.amf@test.se", "ekonom.rk@test.se", "staff.rk@test.se"]
    assert {m.subject for m in credited} == {f"Kreditering med i 2026-04: {booking.ref}"}
    assert all(f"Krediteringen på 1234,50 kr för tvist nr {dispute['id']} om {booking.ref} är med i 2026-04."
               in m.body for m in credited)
    assert (people["buyer_coordinator"].id, "dispute_credited", f"{booking.ref} 2026-04") in _held(db)
    assert people["provider_coordinator"].id not in {user_id for user_id, _kind, _ref in _held(db)}
    assert len([n for n in db.execute(select(Notification).where(
        Notification.user_id == people["provider_coordinator"].id)).scalars()]) == 3  # raised, answered, credited


@pytest.mark.parametrize("decision, subject", [("rejected", "Tvist avslagen"), ("accepted", "Tvist godkänd")])
def test_an_answer_without_credit_says_so(db, api, engine, settings, people, frozen_clock, decision, subject):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, 6, 0, tzinfo=timezone.utc))
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_finance"], booking.ref)
    before = len(_mails(db))
    _resolve(api, people["provider_coordinator"], dispute["id"], decision=decision, note="")
    answered = _mails(db)[before:]
    assert sorted(m.recipient for m in answered) == ["coord.rk@test.se", "ekonom.amf@test.se", "ekonom.rk@test.se"]
    assert {m.subject for m in answered} == {f"{subject}: {booking.ref} 2026-03"}
    assert all("kreditering" not in m.body or "utan kreditering" in m.body for m in answered)


def test_a_hostile_reason_and_note_never_reach_a_mail_or_the_digest(db, api, engine, settings, people, frozen_clock):
    booking = march_to_april(db)
    close(engine, settings, "2026-03", datetime(2026, 4, 2, 6, 0, tzinfo=timezone.utc))
    _set(db, people["buyer_coordinator"], "daily")
    frozen_clock("2026-04-03T09:00:00+02:00")
    dispute = _raise(api, people["buyer_finance"], booking.ref, reason=HOSTILE)
    _resolve(api, people["provider_finance"], dispute["id"], decision="accepted", note=HOSTILE, credit="10")
    close(engine, settings, "2026-04", datetime(2026, 5, 2, 6, 0, tzinfo=timezone.utc))
    assert send_daily_digests(JobContext(engine=engine, settings=settings, now=datetime(2026, 5, 3, 5, 0,
                                                                                       tzinfo=timezone.utc))) == 1
    mails = _mails(db)
    assert len(mails) >= 6 and any(m.recipient == "coord.rk@test.se" for m in mails)  # the digest too
    for message in mails:
        assert "\r" not in message.subject and "\n" not in message.subject and "\r" not in message.body
        for fragment in ("ZQX-7731", "Bcc", "ute@example.com", "<script", "<b>", "alert"):
            assert fragment not in message.subject and fragment not in message.body, (message.subject, message.body)
