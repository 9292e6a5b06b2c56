"""API: the caller's own notifications (list, mark read) and their mail settings per kind.

Only ever the caller's: another user's notification id is 404, like an unknown one."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from marketplace import audit
from marketplace.kernel import clock, http
from marketplace.kernel.api_models import QueryModel
from marketplace.kernel.db import transaction
from marketplace.kernel.problems import Problem
from marketplace.notifications import inbox, preferences

api = APIBlueprint("notifications_api", __name__, url_prefix="/api/v1", abp_tags=[Tag(name="notifications")])
SECURITY = [{"bearer": []}]
Choice = Literal["immediately", "daily", "never"]


class NotificationQuery(QueryModel):
    unread: bool = Field(default=False, description="true: only those not yet read")
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class NotificationPath(BaseModel):
    id: int = Field(..., description="The notification's id")


class NotificationOut(BaseModel):
    id: int
    message: str
    link: str | None = Field(description="The page it is about (a path on this site)")
    created_at: datetime
    read_at: datetime | None = Field(description="When the user marked it read; null while unread")


class NotificationList(BaseModel):
    items: list[NotificationOut]
    total: int
    page: int
    per_page: int


class ReadAllOut(BaseModel):
    marked: int = Field(description="How many unread notifications were marked read")


class MailSettings(BaseModel):
    """Per kind, how mail comes: immediately (default), daily (in the 07:00 digest) or never."""

    model_config = ConfigDict(extra="forbid")
    request: Choice | None = Field(default=None, description="A new request or extension request (coordinators)")
    decision: Choice | None = Field(default=None, description="Approved, rejected, cancelled, expired, ended, summary")
    message: Choice | None = Field(default=None, description="A new message or document on a booking")
    meeting: Choice | None = Field(default=None, description="A meeting planned or cancelled (with its invitation)")
    followup_due: Choice | None = Field(default=None, description="A follow-up that is overdue")
    waitlist_offer: Choice | None = Field(default=None, description="A place freed for a waitlisted request")
    dispute: Choice | None = Field(default=None, description="A billing dispute raised, answered or credited "
                                                             "(district finance and coordinators of both sides)")


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mail: MailSettings = Field(description="The kinds to change; kinds left out keep their setting")


class SettingsOut(BaseModel):
    mail: dict[str, Choice] = Field(description="Every kind: " + ", ".join(preferences.KINDS))


def _out(note) -> dict:
    return NotificationOut(id=note.id, message=note.message, link=note.link, created_at=note.created_at,
                           read_at=note.read_at).model_dump(mode="json")


@api.get("/notifications", responses={200: NotificationList, 401: Problem, 422: Problem}, security=SECURITY)
def list_notifications(query: NotificationQuery):
    """The caller's notifications, newest first; `unread=true` for the unread ones only."""
    actor = http.require_api_actor()
    rows, total = inbox.page_of(http.request_session(), actor.user_id, unread=query.unread,
                                offset=(query.page - 1) * query.per_page, limit=query.per_page)
    return {"items": [_out(n) for n in rows], "total": total, "page": query.page, "per_page": query.per_page}


@api.post("/notifications/<int:id>/read", responses={200: NotificationOut, 401: Problem, 404: Problem},
          security=SECURITY)
def read_notification(path: NotificationPath):
    """Mark one of the caller's notifications read (again: no change). Another user's is 404."""
    actor = http.require_api_actor()
    session = http.request_session()
    with transaction(session):
        note = inbox.mark_read(session, actor.user_id, path.id, now=clock.now())
    return _out(note)


@api.post("/notifications/read-all", responses={200: ReadAllOut, 401: Problem}, security=SECURITY)
def read_all_notifications():
    """Mark every unread notification of the caller read."""
    actor = http.require_api_actor()
    session = http.request_session()
    with transaction(session):
        marked = inbox.mark_all_read(session, actor.user_id, now=clock.now())
    return {"marked": marked}


@api.get("/me/notification-settings", responses={200: SettingsOut, 401: Problem}, security=SECURITY)
def get_notification_settings():
    """How the caller gets mail of each kind. The in-app notification is always kept."""
    actor = http.require_api_actor()
    return {"mail": preferences.settings_of(http.request_session(), actor.user_id)}


@api.put("/me/notification-settings", responses={200: SettingsOut, 401: Problem, 422: Problem}, security=SECURITY)
def put_notification_settings(body: SettingsIn):
    """Change the mail setting of the kinds named; an unknown kind or value is 422 and changes nothing."""
    actor = http.require_api_actor()
    session = http.request_session()
    changes = body.mail.model_dump(exclude_none=True)
    with transaction(session):
        changed = preferences.update(session, actor.user_id, changes, now=clock.now())
        if changed:
            audit.record(session, actor=actor, action="user.notification_settings", object_type="user",
                         object_id=actor.user_id, now=clock.now(), ip=http.client_ip(), details=changed)
    return {"mail": preferences.settings_of(session, actor.user_id)}
