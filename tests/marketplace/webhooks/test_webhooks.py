"""Webhooks: registration over the API, delivery to a real receiver on 127.0.0.1 that verifies
each signature with the Standard Webhooks reference library, backoff, give-up, SSRF rules."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from marketplace.kernel import clock
from marketplace.scheduler import JobContext
from marketplace.webhooks import service, targets
from marketplace.webhooks.jobs import deliver_webhooks
from marketplace.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.marketplace.bookings._factories import _make_programme
from tests.marketplace.bookings.test_api import _body


class Receiver:
    """An HTTP server on 127.0.0.1 that keeps what it is sent and answers per `answers`."""

    def __init__(self):
        self.received: list[dict] = []
        self.answers: list[int] = []  # status codes to give next; 204 when empty
        self.secret: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    Webhook(receiver.secret).verify(body, headers)
                    verified = True
                except WebhookVerificationError:
                    verified = False
                receiver.received.append({"headers": headers, "body": json.loads(body), "verified": verified})
                status = receiver.answers.pop(0) if receiver.answers else (204 if verified else 400)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)
        self.server.server_close()


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


def _deliver(engine, settings, now: datetime) -> int:
    return deliver_webhooks(JobContext(engine=engine, settings=settings, now=now))


def _register(api, user, url, events):
    response = api(user).post("/api/v1/webhooks", json={"url": url, "events": events})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_coordinator_registers_lists_and_removes_an_endpoint(api, coordinator, other_coordinator, staff_user, db):
    created = _register(api, coordinator, "http://127.0.0.1:9/hooks", ["booking.approved", "booking.requested"])
    assert created["secret"].startswith("whsec_") and created["events"] == ["booking.approved", "booking.requested"]
    listed = api(coordinator).get("/api/v1/webhooks").get_json()["items"]
    assert [item["id"] for item in listed] == [created["id"]] and "secret" not in listed[0]
    stored = db.execute(select(WebhookEndpoint)).scalar_one()
    raw = db.connection().exec_driver_sql("SELECT secret FROM webhook_endpoint").scalar_one()
    assert stored.secret == created["secret"] and created["secret"] not in raw  # encrypted at rest
    assert api(other_coordinator).get("/api/v1/webhooks").get_json()["items"] == []
    assert api(other_coordinator).delete(f"/api/v1/webhooks/{created['id']}").status_code == 404
    assert api(staff_user).post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["booking.approved"]}).status_code == 403
    assert api(staff_user).get("/api/v1/webhooks").status_code == 403
    bad = api(coordinator).post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/x", "events": ["booking.exploded"]})
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert api(coordinator).post("/api/v1/webhooks", json={"url": "ftp://x/y", "events": ["booking.approved"]}).status_code == 422
    assert api(coordinator).delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert api(coordinator).get("/api/v1/webhooks").get_json()["items"] == []
    assert api(coordinator).delete(f"/api/v1/webhooks/{created['id']}").status_code == 204  # idempotent
    assert api(coordinator).get(f"/api/v1/webhooks/{created['id']}/deliveries").status_code == 404


def test_the_openapi_document_covers_the_webhook_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/v1/webhooks"])
    assert "delete" in paths["/api/v1/webhooks/{id}"] and "get" in paths["/api/v1/webhooks/{id}/deliveries"]


def test_booking_events_reach_the_receiver_signed_once_and_without_participant_data(
        api, db, engine, settings, staff_user, coordinator, other_coordinator, receiver, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")
    endpoint = _register(api, coordinator, receiver.url, ["booking.requested", "booking.approved"])
    _register(api, other_coordinator, receiver.url, ["booking.requested"])  # another organisation: not its booking
    receiver.secret = endpoint["secret"]
    programme = _make_programme(db, capacity=1)
    booking = api(staff_user).post("/api/v1/bookings", json=_body(programme)).get_json()
    assert api(coordinator).post(f"/api/v1/bookings/{booking['id']}/approve").status_code == 200
    clock.freeze(None)  # the receiver checks the timestamp against real time
    now = clock.now()
    assert _deliver(engine, settings, now) == 2
    assert [r["body"]["type"] for r in receiver.received] == ["booking.requested", "booking.approved"]
    assert all(r["verified"] for r in receiver.received)
    first = receiver.received[0]
    assert first["headers"]["webhook-id"].startswith("msg_")
    assert first["headers"]["webhook-signature"].startswith("v1,")
    assert int(first["headers"]["webhook-timestamp"]) == int(now.timestamp())
    data = receiver.received[1]["body"]["data"]
    assert data["booking_id"] == booking["id"] and data["booking_ref"] == booking["ref"]
    assert data["status"] == "approved" and data["previous_status"] == "requested"
    assert data["provider_organisation"] == "AMF" and data["buyer_organisation"] == "RK"
    everything = json.dumps([r["body"] for r in receiver.received], ensure_ascii=False)
    for personal in ("Lina Berg", "ÄR-77", "070-123 45 67", "Ramp"):
        assert personal not in everything
    # Never twice after a success.
    assert _deliver(engine, settings, now + timedelta(hours=1)) == 0
    assert len(receiver.received) == 2
    listed = api(coordinator).get(f"/api/v1/webhooks/{endpoint['id']}/deliveries").get_json()["items"]
    assert [(d["event_type"], d["status"], d["attempts"]) for d in listed] == [
        ("booking.approved", "delivered", 1), ("booking.requested", "delivered", 1)]
    assert listed[0]["attempt_log"][0]["status_code"] == 204
    assert api(other_coordinator).get(f"/api/v1/webhooks/{endpoint['id']}/deliveries").status_code == 404


def test_extension_requests_and_decisions_reach_the_receiver_without_the_reason(
        api, db, engine, settings, staff_user, coordinator, receiver, frozen_clock):
    frozen_clock("2026-03-02T10:00:00+01:00")
    endpoint = _register(api, coordinator, receiver.url,
                         ["extension.requested", "extension.approved", "extension.rejected"])
    receiver.secret = endpoint["secret"]
    programme = _make_programme(db, capacity=1)
    booking = api(staff_user).post("/api/v1/bookings", json=_body(programme)).get_json()
    path = f"/api/v1/bookings/{booking['id']}"
    assert api(coordinator).post(f"{path}/approve").status_code == 200
    assert api(staff_user).post(f"{path}/extension", json={"end_date": "2026-04-20"}).status_code == 200
    assert api(coordinator).post(f"{path}/extension/approve").status_code == 200
    assert api(staff_user).post(f"{path}/extension", json={"end_date": "2026-05-04"}).status_code == 200
    rejected = api(coordinator).post(f"{path}/extension/reject", json={"reason": "Lina Berg behöver annat stöd"})
    assert rejected.status_code == 200
    clock.freeze(None)
    assert _deliver(engine, settings, clock.now()) == 4
    assert all(r["verified"] for r in receiver.received)
    bodies = [r["body"] for r in receiver.received]
    assert [b["type"] for b in bodies] == ["extension.requested", "extension.approved", "extension.requested",
                                           "extension.rejected"]
    assert [(b["data"]["previous_end_date"], b["data"]["extension_end_date"], b["data"]["end_date"]) for b in bodies] == [
        ("2026-04-12", "2026-04-20", "2026-04-12"), ("2026-04-12", "2026-04-20", "2026-04-20"),
        ("2026-04-20", "2026-05-04", "2026-04-20"), ("2026-04-20", "2026-05-04", "2026-04-20")]
    assert {b["data"]["booking_ref"] for b in bodies} == {booking["ref"]}
    everything = json.dumps(bodies, ensure_ascii=False)
    for personal in ("Lina Berg", "ÄR-77", "annat stöd"):
        assert personal not in everything


def test_a_failing_receiver_is_retried_with_backoff_and_given_up_after_24_hours(db, engine, settings, coordinator, receiver):
    now = datetime.now(timezone.utc)
    endpoint, secret = service.register(db, organisation_id=coordinator.organisation_id, url=receiver.url,
                                        events=["billing.month_closed"], created_by=None, now=now, production=False)
    receiver.secret = secret
    service.enqueue(db, event_type="billing.month_closed", organisation_ids=None, data={"period": "2026-11"}, now=now)
    db.commit()
    receiver.answers = [500]
    assert _deliver(engine, settings, now) == 0
    delivery = db.execute(select(WebhookDelivery)).scalar_one()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("pending", 1, now + timedelta(seconds=30))
    assert _deliver(engine, settings, now + timedelta(seconds=10)) == 0  # not due yet: nothing sent
    assert len(receiver.received) == 1
    assert _deliver(engine, settings, now + timedelta(seconds=31)) == 1
    assert [r["verified"] for r in receiver.received] == [True, True]
    assert receiver.received[0]["headers"]["webhook-id"] == receiver.received[1]["headers"]["webhook-id"]
    db.rollback()  # a fresh read
    assert db.get(WebhookDelivery, delivery.id).status == "delivered"

    # A receiver that never answers 2xx: attempts with growing waits, then failed after 24 hours.
    service.enqueue(db, event_type="billing.month_closed", organisation_ids=None, data={"period": "2026-12"}, now=now)
    db.commit()
    receiver.answers = [503] * 100
    moment, sent_at = now, []
    while moment < now + timedelta(hours=30):
        before = len(receiver.received)
        _deliver(engine, settings, moment)
        if len(receiver.received) > before:
            sent_at.append(moment)
        moment += timedelta(minutes=1)
    db.rollback()
    failed = db.execute(select(WebhookDelivery).where(WebhookDelivery.status == "failed")).scalar_one()
    assert failed.attempts == len(sent_at) and 10 <= failed.attempts <= 20
    gaps = [later - earlier for earlier, later in zip(sent_at, sent_at[1:])]
    assert gaps == sorted(gaps) and gaps[-1] <= timedelta(hours=4, minutes=1)
    assert sent_at[-1] <= now + timedelta(hours=24)


def test_a_removed_endpoint_gets_nothing_more(api, db, engine, settings, coordinator, receiver):
    created = _register(api, coordinator, receiver.url, ["billing.month_closed"])
    service.enqueue(db, event_type="billing.month_closed", organisation_ids=None, data={"period": "2026-11"},
                    now=clock.now())
    db.commit()
    assert api(coordinator).delete(f"/api/v1/webhooks/{created['id']}").status_code == 204
    assert _deliver(engine, settings, clock.now()) == 0 and receiver.received == []


@pytest.mark.parametrize("url", [
    "http://hooks.example.se/x",        # not https
    "https://127.0.0.1/x",              # loopback
    "https://localhost/x",
    "https://10.1.2.3/x",               # private
    "https://192.168.0.4/x",
    "https://169.254.169.254/latest",   # link-local (cloud metadata)
    "https://[::1]/x",
    "https://[::ffff:10.0.0.1]/x",
    "https://user:pw@93.184.216.34/x",  # credentials in the URL
])
def test_production_refuses_plain_http_and_private_targets(url):
    with pytest.raises(targets.RefusedTarget):
        targets.check(url, production=True)


def test_production_accepts_a_public_https_target_and_checks_what_a_name_resolves_to():
    assert targets.check("https://93.184.216.34/hooks", production=True)

    def resolves_to(address):
        return lambda host, port, type=0: [(2, 1, 6, "", (address, port))]

    assert targets.check("https://hooks.example.se/x", production=True, resolve=resolves_to("93.184.216.34"))
    with pytest.raises(targets.RefusedTarget):
        targets.check("https://hooks.example.se/x", production=True, resolve=resolves_to("10.0.0.7"))
    # Development and tests allow a local receiver.
    assert targets.check("http://127.0.0.1:8080/x", production=False)


def test_the_api_refuses_a_loopback_target_in_production(app, api, coordinator):
    caller = api(coordinator)
    extension = app.extensions["insatstorget"]
    extension.settings = extension.settings.model_copy(update={"env": "production"})
    response = caller.post("/api/v1/webhooks", json={"url": "https://127.0.0.1/hooks", "events": ["booking.approved"]})
    assert response.status_code == 422
    assert "private, loopback" in json.dumps(response.get_json())


def test_closing_a_month_sends_billing_month_closed_once(app, db, engine, settings, coordinator, receiver, tmp_path):
    from sqlalchemy.orm import Session

    from billing.operations import close_and_store

    endpoint, secret = service.register(db, organisation_id=coordinator.organisation_id, url=receiver.url,
                                        events=["billing.month_closed"], created_by=None, now=clock.now(), production=False)
    db.commit()
    receiver.secret = secret
    for _ in range(2):  # closing again changes nothing and sends nothing
        with Session(engine, expire_on_commit=False) as session:
            close_and_store(session, "2026-01", actor=None, now=clock.now(), instance_path=tmp_path)
    assert _deliver(engine, settings, clock.now()) == 1
    [message] = receiver.received
    assert message["verified"] and message["body"]["type"] == "billing.month_closed"
    assert message["body"]["data"]["period"] == "2026-01" and message["body"]["data"]["status"] == "closed"


def test_an_overdue_follow_up_sends_followup_due(db, engine, settings, staff_user, coordinator, other_coordinator, receiver):
    from datetime import date

    from marketplace.followups import jobs as followup_jobs
    from tests.marketplace.followups._factories import make_booking, make_programme

    booking = make_booking(db, make_programme(db), staff_user, start=date(2026, 1, 12), end=date(2026, 9, 30))
    endpoint, secret = service.register(db, organisation_id=coordinator.organisation_id, url=receiver.url,
                                        events=["followup.due"], created_by=None, now=clock.now(), production=False)
    service.register(db, organisation_id=other_coordinator.organisation_id, url=receiver.url,
                     events=["followup.due"], created_by=None, now=clock.now(), production=False)
    db.commit()
    receiver.secret = secret
    followup_jobs.remind_overdue_followups(JobContext(engine, settings, datetime(2026, 2, 13, 6, tzinfo=timezone.utc)))
    followup_jobs.remind_overdue_followups(JobContext(engine, settings, datetime(2026, 2, 14, 6, tzinfo=timezone.utc)))
    assert _deliver(engine, settings, clock.now()) == 1  # once, and only to the booking's organisations
    [message] = receiver.received
    assert message["verified"] and message["body"]["type"] == "followup.due"
    assert message["body"]["data"]["booking_ref"] == booking.ref and message["body"]["data"]["due_date"] == "2026-02-12"
