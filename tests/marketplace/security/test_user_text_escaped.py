"""Suite-wide: user text with markup in it is shown escaped on every page, to every role, in
both languages, and never passes through gettext (where Jinja would mark it safe and read it
as a format string: a "%" would give a 500)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketplace.i18n import record_untranslated
from tests.marketplace.security._world import ACTOR_KEYS, fill, fresh_booking
from tests.marketplace.test_permission_matrix import QUERIES, world  # noqa: F401  (the module's world fixture)

MARK = '<b id="x">100% M</b>'  # fits every user column (contact_phone holds 40)
ESCAPED = "&lt;b id=&#34;x&#34;&gt;100% M&lt;/b&gt;"
SKIP = {"/static/<path:filename>", "/logga-ut", "/healthz"}


def _plant_markup(world) -> None:
    """Markup in every kind of user text: programme fields, organisation names, participant
    fields, reasons, notes, follow-ups, a user's name."""
    from catalog.models import Organisation, Programme
    from marketplace.auth.models import User
    from marketplace.bookings.models import Booking, BookingEvent
    from marketplace.followups.models import FollowUp

    engine = world.app.extensions["insatstorget"].engine
    fresh_booking(world, engine)
    with Session(engine) as db:
        db.execute(update(Programme).where(Programme.id == world.ids["programme"]).values(
            name=MARK, description=MARK, eligibility=MARK, location=MARK, schedule=MARK, language_support=MARK,
            contact_name=MARK, contact_phone=MARK))
        db.execute(update(Organisation).where(Organisation.code.in_(["AMF", "RK"])).values(name=MARK))
        db.execute(update(Booking).where(Booking.id == world.ids["booking"]).values(
            participant_reference=MARK, participant_name=MARK, participant_contact=MARK, participant_needs=MARK,
            assignment_purpose=MARK, assignment_goals=MARK, assignment_sub_goals=MARK, assignment_tasks=MARK,
            assignment_participant_view=MARK, decision_reference=MARK, decision_reason=MARK))
        db.execute(update(BookingEvent).where(BookingEvent.booking_id == world.ids["booking"]).values(note=MARK))
        db.execute(update(FollowUp).where(FollowUp.id == world.ids["followup"]).values(
            participant_view=MARK, progress_goals=MARK, progress_sub_goals=MARK, notes=MARK))
        db.execute(update(User).where(User.id.in_([world.ids["victim"], world.users["staff_own"].id])).values(name=MARK))
        db.commit()
        assert db.execute(select(Booking.participant_name).where(Booking.id == world.ids["booking"])).scalar_one() == MARK


def _get_rules(app):
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.rule not in SKIP
                   and not rule.rule.startswith("/api/")), key=lambda rule: rule.rule)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_markup_in_user_text_is_escaped_on_every_page_for_every_role(world, language):  # noqa: F811
    _plant_markup(world)
    reached_gettext = record_untranslated(world.app, language)
    shown, wrong = 0, []
    for rule in _get_rules(world.app):
        url = fill(rule, world) + QUERIES.get(rule.rule, "")
        if rule.rule.startswith("/statistik") and "from=" not in url:
            url += ("&" if "?" in url else "?") + "from=2026-01-01&to=2026-12-31"
        for actor in ACTOR_KEYS:
            client = world.client(actor)
            with client.session_transaction() as cookie:
                cookie["locale"] = language
            response = client.get(url)
            if response.status_code >= 500:
                wrong.append(f"{actor} {url}: {response.status_code}")
            elif response.mimetype == "text/html":  # files (XLSX, CSV) have their own cell tests
                body = response.get_data(as_text=True)
                if MARK in body or "<b id" in body:
                    wrong.append(f"{actor} {url}: unescaped markup")
                shown += ESCAPED in body
    assert wrong == []
    assert shown > 20  # the text really is on the pages (as text)
    assert [text for text in reached_gettext if "100% M" in text] == []
