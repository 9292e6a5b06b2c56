"""The sign-in throttle: atomic under parallel requests, honest sign-ins under load, the client
address behind a proxy, the soft lock of second-factor accounts, one hash on every path.

The parallel tests use real threads against the real database (SQLite or PostgreSQL, as the
suite runs) and count the password hash checks by wrapping passwords.verify_password.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pyotp
import pytest
from sqlalchemy import func, select

from marketplace.audit.models import AuditLog
from marketplace.auth import passwords
from marketplace.auth.models import LoginAttempt, User
from marketplace.kernel.sqlite_gate import _busy
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET, enrol_totp, make_user

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)
PROXY = "127.0.0.9"  # the TLS proxy's own address, as the service sees it


@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash check made while the test runs (thread-safe)."""
    checked: list[str | None] = []
    lock = threading.Lock()
    real = passwords.verify_password

    def counting(password_hash, password):
        with lock:
            checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return checked


def _in_parallel(app, calls) -> list[int]:
    """Run each call(client) on its own thread with its own client, all released at once."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int | BaseException | None] = [None] * len(calls)

    def run(index, call):
        client = app.test_client()
        try:
            barrier.wait(timeout=60)
            statuses[index] = call(client).status_code
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            statuses[index] = error

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert all(isinstance(status, int) for status in statuses), statuses
    return statuses


def _page(email, password, ip):
    return lambda client: client.post("/logga-in", data={"email": email, "password": password},
                                      environ_base={"REMOTE_ADDR": ip})


def _api(email, password, ip, code=None):
    body = {"email": email, "password": password} | ({"totp": code} if code else {})
    return lambda client: client.post("/api/v1/auth/token", json=body, environ_base={"REMOTE_ADDR": ip})


def _attempts(db, email):
    db.expire_all()
    rows = db.execute(select(LoginAttempt.outcome, func.count()).where(LoginAttempt.email == email)
                      .group_by(LoginAttempt.outcome)).all()
    return dict(rows)


def _audit_actions(db, email):
    db.expire_all()
    rows = db.execute(select(AuditLog.action, AuditLog.details)).all()
    actions = [action for action, details in rows if (details or {}).get("email") == email]
    return {action: actions.count(action) for action in set(actions)}


def test_thirty_parallel_wrong_passwords_are_checked_at_most_the_limit_and_all_recorded(
        app, db, settings, staff_user, hash_checks):
    limit = settings.login_max_failures
    calls = [(_page if number % 2 else _api)(staff_user.email, f"fel-{number}", "198.51.100.7") for number in range(30)]
    statuses = _in_parallel(app, calls)
    assert set(statuses) <= {401, 429}, statuses  # no 503
    assert len(hash_checks) <= limit
    assert statuses.count(401) == len(hash_checks)  # every checked guess was counted and answered
    assert _attempts(db, staff_user.email) == {"failed": len(hash_checks), "refused": 30 - len(hash_checks)}
    assert _audit_actions(db, staff_user.email) == {"auth.sign_in_refused": len(hash_checks),
                                                    "auth.throttled": 30 - len(hash_checks)}


@pytest.mark.parametrize("one_office", [False, True], ids=["own-addresses", "one-office-address"])
def test_thirty_people_signing_in_at_once_all_get_in(app, db, one_office):
    people = [make_user(db, email=f"person{number}@test.se") for number in range(30)]
    calls = [(_page if number % 2 else _api)(person.email, DEFAULT_PASSWORD,
                                             "198.51.100.1" if one_office else f"198.51.100.{number + 1}")
             for number, person in enumerate(people)]
    statuses = _in_parallel(app, calls)
    assert statuses == [200, 302] * 15  # the API's token, the page's redirect: nobody gets 503


def test_a_sign_in_the_busy_database_refuses_is_on_record(client, db, staff_user, monkeypatch):
    def busy(*args, **kwargs):
        raise _busy()

    monkeypatch.setattr("marketplace.auth.throttle.reserve", busy)
    response = client.post("/logga-in", data={"email": staff_user.email, "password": "fel"})
    assert response.status_code == 503
    monkeypatch.undo()
    assert _attempts(db, staff_user.email) == {"unavailable": 1}
    assert _audit_actions(db, staff_user.email) == {"auth.sign_in_unavailable": 1}


# --- every path costs one hash (timing tells nothing) -----------------------------------------


@pytest.mark.parametrize("case", ["unknown", "deactivated", "wrong", "right", "locked"])
def test_every_sign_in_path_checks_exactly_one_hash(client, db, staff_user, settings, hash_checks, case):
    email, password = staff_user.email, "fel-losenord"
    if case == "unknown":
        email = "nobody@test.se"
    elif case == "deactivated":
        db.get(User, staff_user.id).active = False
        db.commit()
        password = DEFAULT_PASSWORD
    elif case == "right":
        password = DEFAULT_PASSWORD
    elif case == "locked":
        for number in range(settings.login_max_failures):
            _page(email, "fel", f"198.51.100.{number + 1}")(client)
        hash_checks.clear()
    response = client.post("/logga-in", data={"email": email, "password": password})
    assert response.status_code == {"right": 302, "locked": 429}.get(case, 401)
    assert len(hash_checks) == 1


# --- behind the TLS proxy ----------------------------------------------------------------------


def _app_with(settings, **changes):
    from marketplace.app import create_app

    app = create_app(settings.model_copy(update=changes))
    app.config["WTF_CSRF_ENABLED"] = False
    return app


def _through_proxy(client, email, password, forwarded_for):
    return client.post("/logga-in", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": PROXY},
                       headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"})


def test_without_trusted_hops_forwarded_headers_are_ignored(settings, db, staff_user):
    app = _app_with(settings)  # INSATSTORGET_TRUSTED_PROXY_HOPS defaults to 0
    client = app.test_client()
    for number in range(settings.login_max_failures):
        assert _through_proxy(client, f"x{number}@test.se", "fel", f"203.0.113.{number}").status_code == 401
    # A client cannot escape the address throttle by inventing X-Forwarded-For.
    refused = _through_proxy(client, staff_user.email, DEFAULT_PASSWORD, "203.0.113.200")
    assert refused.status_code == 429
    assert "Strict-Transport-Security" not in refused.headers  # nor claim https
    db.expire_all()
    assert set(db.execute(select(AuditLog.ip).where(AuditLog.action.like("auth.%"))).scalars()) == {PROXY}
    app.extensions["insatstorget"].engine.dispose()


def test_with_one_trusted_hop_each_client_has_its_own_address(settings, db, staff_user):
    app = _app_with(settings, trusted_proxy_hops=1)
    client = app.test_client()
    for number in range(settings.login_max_failures):
        # what the client itself put in front of the proxy's entry is not believed
        assert _through_proxy(client, f"x{number}@test.se", "fel", f"192.0.2.{number}, 203.0.113.5").status_code == 401
    assert _through_proxy(client, "y@test.se", "fel", "203.0.113.5").status_code == 429
    elsewhere = _through_proxy(client, staff_user.email, DEFAULT_PASSWORD, "203.0.113.6")
    assert elsewhere.status_code == 302  # a typo elsewhere in the city locks out nobody else
    assert "max-age" in elsewhere.headers["Strict-Transport-Security"]  # X-Forwarded-Proto: https
    db.expire_all()
    assert set(db.execute(select(AuditLog.ip).where(AuditLog.action.like("auth.%"))).scalars()) == {"203.0.113.5"}
    assert set(db.execute(select(LoginAttempt.ip)).scalars()) == {"203.0.113.5", "203.0.113.6"}
    app.extensions["insatstorget"].engine.dispose()


# --- the per-account lock is soft for second-factor accounts (ASVS 5 V6.3) ----------------------


def _lock_out(client, email, settings):
    """A stranger's wrong passwords, from one address after another."""
    for number in range(settings.login_max_failures + 5):
        client.post("/logga-in", data={"email": email, "password": f"gissning-{number}"},
                    environ_base={"REMOTE_ADDR": f"198.51.100.{number // 3 + 1}"})


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_a_stranger_cannot_keep_admin_or_finance_locked_out(app, client, db, settings, frozen_clock, role):
    frozen_clock(T0)
    user = enrol_totp(db, make_user(db, organisation="AMF", roles=[role], email=f"{role}@test.se"))
    stranger = app.test_client()
    _lock_out(stranger, user.email, settings)
    # The lock holds against the stranger, who learns nothing from a guess ...
    guess = stranger.post("/logga-in", data={"email": user.email, "password": "ännu-en-gissning"},
                          environ_base={"REMOTE_ADDR": "198.51.100.99"})
    assert guess.status_code == 429
    # ... while the owner, elsewhere, gets in with the password and the one-time code.
    owner = {"REMOTE_ADDR": "203.0.113.44"}
    password_step = client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD}, environ_base=owner)
    assert password_step.status_code == 302
    assert "/logga-in/kod" in client.get("/", environ_base=owner).headers["Location"]  # the code is still owed
    code = pyotp.TOTP(TEST_TOTP_SECRET).at(T0)
    assert client.post("/logga-in/kod", data={"code": code}, environ_base=owner).status_code == 302
    assert client.get("/", environ_base=owner).status_code == 200
    # The API too: the right password with a valid code (the next one: a code is used once).
    frozen_clock(datetime(2026, 5, 4, 9, 0, 30, tzinfo=timezone.utc))
    later = pyotp.TOTP(TEST_TOTP_SECRET).at(datetime(2026, 5, 4, 9, 0, 30, tzinfo=timezone.utc))
    assert _api(user.email, DEFAULT_PASSWORD, "203.0.113.45", later)(app.test_client()).status_code == 200
    # Without the code the right password alone is still refused while the account is locked.
    assert _api(user.email, DEFAULT_PASSWORD, "203.0.113.46")(app.test_client()).status_code == 401


def test_a_password_only_account_stays_locked_whatever_the_password(app, client, db, settings, staff_user):
    _lock_out(app.test_client(), staff_user.email, settings)
    right = client.post("/logga-in", data={"email": staff_user.email, "password": DEFAULT_PASSWORD},
                        environ_base={"REMOTE_ADDR": "203.0.113.44"})
    assert right.status_code == 429


def test_the_address_lock_stays_hard_even_for_the_right_password_and_code(app, client, db, settings, frozen_clock, hash_checks):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="admin@test.se"))
    for number in range(settings.login_max_failures):
        client.post("/logga-in", data={"email": f"x{number}@test.se", "password": "fel"})
    hash_checks.clear()
    code = pyotp.TOTP(TEST_TOTP_SECRET).at(T0)
    assert _api(admin.email, DEFAULT_PASSWORD, "127.0.0.1", code)(client).status_code == 429
    assert client.post("/logga-in", data={"email": admin.email, "password": DEFAULT_PASSWORD}).status_code == 429
    assert hash_checks == []  # refused before any hash is checked
