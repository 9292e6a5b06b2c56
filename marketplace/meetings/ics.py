"""The iCalendar text (RFC 5545) of a meeting, built with the `icalendar` library.

One VEVENT, times in UTC, a UID chosen when the meeting was planned, SUMMARY with the booking
ref and the programme's name only: never the participant's name, and never the note. A
cancelled meeting is METHOD:CANCEL with STATUS:CANCELLED and a higher SEQUENCE, so calendars
that hold the invitation remove it. The mailed copy leaves out the location (it leaves the
city's systems); the copy downloaded after signing in carries it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from icalendar import Calendar, Event

from marketplace.meetings.models import Meeting

PRODID = "-//Stockholms stad//Insatstorget//SV"
KIND_TITLES = {"start": "Startmöte", "follow_up": "Uppföljningsmöte", "end": "Avslutningsmöte"}


def filename(meeting: Meeting, ref: str) -> str:
    return f"{ref}-mote-{meeting.id}.ics"


def calendar_text(meeting: Meeting, *, ref: str, programme_name: str | None, now: datetime,
                  with_location: bool = True) -> str:
    """The meeting as RFC 5545 text. A mailed invitation passes no programme name and no place:
    mail carries no text a user typed, only the ref (docs/security.md)."""
    cancelled = meeting.cancelled_at is not None
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", now.astimezone(timezone.utc))
    event.add("dtstart", meeting.starts_at.astimezone(timezone.utc))
    event.add("dtend", meeting.ends_at.astimezone(timezone.utc))
    event.add("sequence", meeting.sequence)
    title = f"{KIND_TITLES.get(meeting.kind, 'Möte')} {ref}"
    event.add("summary", f"{title}: {programme_name}" if programme_name else title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if with_location and meeting.location:
        event.add("location", meeting.location)
    calendar.add_component(event)
    return calendar.to_ical().decode("utf-8")


def content_type(meeting: Meeting) -> str:
    return f"text/calendar; charset=utf-8; method={'CANCEL' if meeting.cancelled_at else 'REQUEST'}"
