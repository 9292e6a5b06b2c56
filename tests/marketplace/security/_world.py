"""The world the permission matrix runs in: one booking between two organisations, and a
signed-in browser and an API token for each actor (role × own or other organisation)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import Session

from marketplace.auth import tokens
from marketplace.auth.models import ProgrammeSupervisor, User, UserSession
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET, make_programme, make_user
from tests.marketplace.security._helpers import make_booking

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)

# actor key -> (organisation, roles). "own" means the booking's buyer (staff) or provider
# (coordinator); "other" is the same role at an organisation with no part in the booking.
ACTORS = {
    "staff_own": ("RK", ["staff"]),
    "staff_other": ("ST", ["staff"]),
    "coordinator_own": ("AMF", ["coordinator"]),
    "coordinator_other": ("HV", ["coordinator"]),
    "finance": ("AMF", ["finance"]),
    "admin": ("AMF", ["admin"]),
    "district_finance": ("RK", ["district_finance"]),
}
ACTOR_KEYS = ("anonymous", *ACTORS)
# The people who run programmes, in the matrix's second table (ROLE_MATRIX): a supervisor of AMF
# assigned to the world's programme (own) and one of AMF not assigned to it (other); a manager
# of the booking's buyer RK (own) and one of HV (other).
ROLE_ACTORS = {
    "supervisor_own": ("AMF", ["supervisor"]),
    "supervisor_other": ("AMF", ["supervisor"]),
    "manager_own": ("RK", ["manager"]),
    "manager_other": ("HV", ["manager"]),
}
ROLE_ACTOR_KEYS = tuple(ROLE_ACTORS)


@dataclass
class World:
    app: object
    users: dict = field(default_factory=dict)
    clients: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)

    def client(self, actor: str):
        return self.clients[actor]

    def headers(self, actor: str) -> dict:
        return {"Authorization": f"Bearer {self.tokens[actor]}"} if actor in self.tokens else {}


def _sign_in(app, engine, user: User):
    client = app.test_client()
    response = client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with client.session_transaction() as cookie:
        secret = cookie["_user_id"]
    with Session(engine) as session:  # the TOTP step itself is tested in test_second_factor.py
        row = session.query(UserSession).filter_by(session_hash=tokens.digest(secret)).one()
        row.second_factor_done = True
        session.commit()
    return client


def build_world(app, engine) -> World:
    world = World(app)
    with Session(engine, expire_on_commit=False) as db:
        for key, (organisation, roles) in (ACTORS | ROLE_ACTORS).items():
            user = make_user(db, organisation=organisation, roles=roles, email=f"{key}@matrix.test")
            if {"admin", "finance", "district_finance"} & set(roles):
                user.totp_secret = TEST_TOTP_SECRET
                db.merge(user)
                db.commit()
            world.users[key] = user
            secret, _ = tokens.issue_api_token(db, user, now=datetime.now(timezone.utc), lifetime=timedelta(days=1))
            db.commit()
            world.tokens[key] = secret
        victim = make_user(db, organisation="SO", roles=["staff"], email="victim@matrix.test")
        programme = make_programme(db, organisation="AMF", capacity=50)
        # a supervisor of AMF that the supervisor routes assign and remove (never an actor)
        spare = make_user(db, organisation="AMF", roles=["supervisor"], email="spare-supervisor@matrix.test")
        db.add(ProgrammeSupervisor(programme_id=programme.id, user_id=world.users["supervisor_own"].id, assigned_at=NOW))
        db.commit()
        world.ids = {"programme": programme.id, "victim": victim.id, "spare_supervisor": spare.id}
    fresh_booking(world, engine)
    world.clients["anonymous"] = app.test_client()
    for key in (*ACTORS, *ROLE_ACTORS):
        world.clients[key] = _sign_in(app, engine, world.users[key])
    return world


def fresh_booking(world: World, engine) -> None:
    """A new approved booking (RK buys from AMF) with a follow-up, so no route sees another's changes."""
    from catalog.models import Programme
    from marketplace.followups.models import FollowUp
    from marketplace.meetings.models import BookingSummary, Meeting

    with Session(engine, expire_on_commit=False) as db:
        programme = db.get(Programme, world.ids["programme"])
        booking = make_booking(db, programme, requester_id=world.users["staff_own"].id, status="approved",
                               start=date(2026, 6, 1), end=date(2026, 8, 31))
        followup = FollowUp(booking_id=booking.id, sequence=1, due_date=date(2026, 7, 1), created_at=NOW)
        db.add(followup)
        meeting = Meeting(booking_id=booking.id, kind="start", starts_at=NOW + timedelta(days=1),
                          ends_at=NOW + timedelta(days=1, hours=1), uid=f"matrix-{booking.id}@insatstorget",
                          created_at=NOW, updated_at=NOW)
        db.add(meeting)
        db.add(BookingSummary(booking_id=booking.id, attendance="Matris", achieved="Matris", written_at=NOW, updated_at=NOW))
        db.commit()
        world.ids.update(booking=booking.id, booking_ref=booking.ref, followup=followup.id, meeting=meeting.id)
        _add_document(world, db, booking)


def _add_document(world: World, db, booking) -> None:
    """A stored document of the booking (row and file), for the download routes."""
    from marketplace.collaboration import storage
    from marketplace.collaboration.models import BookingDocument

    data = b"%PDF-1.7\nmatrix\n"
    document = BookingDocument(booking_id=booking.id, kind="other", filename="matris.pdf", size=len(data), sha256="0" * 64,
                               content_type="application/pdf", uploaded_by_id=world.users["staff_own"].id,
                               uploaded_by_organisation_id=booking.buyer_organisation_id, created_at=NOW)
    db.add(document)
    db.commit()
    storage.write(world.app.extensions["insatstorget"].settings.resolved_document_dir(), document.id, data)
    world.ids["document"] = document.id


def _webhook(world: World) -> int:
    """A webhook endpoint of the providing organisation (AMF), fresh for each route."""
    from marketplace.webhooks.models import WebhookEndpoint

    with Session(world.app.extensions["insatstorget"].engine) as db:
        endpoint = WebhookEndpoint(organisation_id=world.users["coordinator_own"].organisation_id,
                                   url="http://127.0.0.1:9/matrix", events="booking.approved",
                                   secret="whsec_bWF0cmlzbWF0cmlzbWF0cmlzbWF0cmlz", created_at=NOW)
        db.add(endpoint)
        db.commit()
        return endpoint.id


def _notification(world: World) -> int:
    """A notification of the buyer's staff member (staff_own), fresh for each route: only they may mark it."""
    from marketplace.notifications.models import Notification

    with Session(world.app.extensions["insatstorget"].engine) as db:
        note = Notification(user_id=world.users["staff_own"].id, created_at=NOW, message="Matris", link="/")
        db.add(note)
        db.commit()
        return note.id


def april_booking_ref(world: World) -> str:
    """A fresh approved booking RK buys from AMF for April 2026 (a month ended and open at the world's
    clock, so it has a line to dispute); its ref."""
    from catalog.models import Programme

    with Session(world.app.extensions["insatstorget"].engine, expire_on_commit=False) as db:
        booking = make_booking(db, db.get(Programme, world.ids["programme"]), requester_id=world.users["staff_own"].id,
                               status="approved", start=date(2026, 4, 1), end=date(2026, 4, 30))
        return booking.ref


def _dispute(world: World) -> int:
    """An open dispute of April's line of a fresh booking (RK bought, AMF provided), fresh for each route."""
    from billing.disputes.models import Dispute
    from marketplace.bookings.public import get_booking_record

    ref = april_booking_ref(world)
    with Session(world.app.extensions["insatstorget"].engine) as db:
        record = get_booking_record(db, ref=ref)
        dispute = Dispute(booking_id=record.booking_id, booking_ref=ref, period="2026-04",
                          buyer_organisation_id=record.buyer.id, provider_organisation_id=record.provider.id,
                          reason="Matris", raised_by_id=world.users["district_finance"].id, raised_by_name="Matris",
                          raised_at=NOW)
        db.add(dispute)
        db.commit()
        return dispute.id


def fill(rule, world: World) -> str:
    """A concrete URL for a rule, with the world's objects in its path."""
    values = {}
    for name in rule.arguments:
        if name == "dispute_id" or (name == "id" and "/disputes/" in rule.rule):
            values[name] = _dispute(world)
            continue
        if name in ("booking_id",) or (name == "id" and "/bookings/" in rule.rule):
            values[name] = world.ids["booking"]
        elif name == "id" and "/webhooks/" in rule.rule:
            values[name] = _webhook(world)
        elif name == "notification_id" or (name == "id" and "/notifications/" in rule.rule):
            values[name] = _notification(world)
        elif name == "programme_id":
            values[name] = world.ids["programme"]
        elif name == "document_id":
            values[name] = world.ids["document"]
        elif name == "followup_id":
            values[name] = world.ids["followup"]
        elif name in ("mid", "meeting_id"):
            values[name] = world.ids["meeting"]
        elif name == "user_id":
            supervisor_route = "/supervisors/" in rule.rule or "/arbetsledare/" in rule.rule
            values[name] = world.ids["spare_supervisor" if supervisor_route else "victim"]
        elif name == "ref":
            values[name] = world.ids["booking_ref"]
        elif name == "iso_week":
            values[name] = "2026-W23"
        elif name == "period":
            values[name] = "2026-04"
        elif name == "fmt":
            values[name] = "csv"
        elif name == "organisation_code":
            values[name] = "RK"
        elif name == "code":
            values[name] = "en" if rule.rule.startswith("/sprak") else "RK"
        elif name == "filename":
            values[name] = "css/app.css"
        else:
            raise KeyError(f"the matrix does not know how to fill <{name}> in {rule.rule}")
    url = rule.rule
    for name, value in values.items():
        url = __import__("re").sub(r"<(?:[^:<>]+:)?" + name + r"(?:\([^)]*\))?>", str(value), url)
    return url
