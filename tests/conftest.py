"""Fixtures: a database per test on SQLite (default) or PostgreSQL, an app, clients, users.

INSATSTORGET_TEST_DATABASE_URL=postgresql+psycopg://user@host:port/db selects PostgreSQL:
the suite creates its own throwaway database on that server (so parallel runs do not
collide), migrates it once with Alembic, and empties the tables between tests. On SQLite
each test gets a copy of a migrated template file. Every test commits for real.
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from marketplace.kernel import clock
from marketplace.kernel.config import Settings
from marketplace.kernel.db import make_engine
from marketplace.operations.schema import init_db
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET, enrol_totp, make_user

PG_URL = os.environ.get("INSATSTORGET_TEST_DATABASE_URL")


class _BufferedClient(FlaskClient):
    """Reads each response whole and closes it, as a browser does, so a downloaded file is
    never left open (warnings are errors in this suite, ResourceWarning included)."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


Flask.test_client_class = _BufferedClient
REFERENCE_TABLES = {"organisation", "category", "target_group", "alembic_version"}


def _pg_admin_url(url: str) -> str:
    return make_url(url).set(database="postgres").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Build the schema once per run; yields a factory for a fresh database URL per test."""
    if PG_URL:
        name = f"insatstorget_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = create_engine(_pg_admin_url(PG_URL), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        init_db(engine)
        with engine.connect() as connection:
            tables = [row[0] for row in connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
        engine.dispose()
        truncatable = [t for t in tables if t not in REFERENCE_TABLES]
        yield {"kind": "postgresql", "url": url, "truncate": truncatable}
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        template = tmp_path_factory.mktemp("db") / "template.sqlite3"
        engine = make_engine(f"sqlite:///{template}")
        init_db(engine)
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        yield {"kind": "sqlite", "template": template}


@pytest.fixture
def database_url(database_template, tmp_path) -> str:
    if database_template["kind"] == "sqlite":
        target = tmp_path / "test.sqlite3"
        shutil.copyfile(database_template["template"], target)
        return f"sqlite:///{target}"
    url = database_template["url"]
    engine = create_engine(url)
    with engine.begin() as connection:
        tables = ", ".join(f'"{t}"' for t in database_template["truncate"])
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    _restore_reference_data(url)
    return url


def _restore_reference_data(url: str) -> None:
    """Reference rows on PostgreSQL survive TRUNCATE: drop rows an earlier test added and put
    edited ones (account codes, labels) back as the data files say."""
    from catalog.reference_data import read_rows

    engine = make_engine(url)
    with Session(engine) as session:
        for table, filename in (("organisation", "organisations.csv"), ("category", "categories.csv"),
                                ("target_group", "target_groups.csv")):
            codes = [row["code"] for row in read_rows(filename)]
            session.execute(text(f"DELETE FROM {table} WHERE code <> ALL(:codes)"), {"codes": codes})
        for row in read_rows("categories.csv"):
            session.execute(text("UPDATE category SET label_sv=:label_sv, label_en=:label_en WHERE code=:code"), row)
        for row in read_rows("target_groups.csv"):
            session.execute(text("UPDATE target_group SET label_sv=:label_sv, label_en=:label_en WHERE code=:code"), row)
        for row in read_rows("organisations.csv"):
            session.execute(text(
                "UPDATE organisation SET name=:name, kind=:kind, cost_centre=:cost_centre, "
                "cost_account=:cost_account, revenue_account=:revenue_account, "
                "default_activity_code=:default_activity_code WHERE code=:code"), row)
        session.commit()
    engine.dispose()


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(
        env="test",
        database_url=database_url,
        secret_key="test-secret-key",
        instance_path=tmp_path / "instance",
        export_dir=tmp_path / "exports",
        scheduler_in_process=False,
        api_token_cache_seconds=0,  # every request checks its token; tests/marketplace/auth/test_token_cache.py tests the cache
    )


@pytest.fixture
def frozen_clock():
    """Freeze time; the test moves it with frozen_clock(datetime)."""

    def freeze(moment: datetime | str):
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        clock.freeze(moment)
        return clock.now()

    yield freeze
    clock.freeze(None)


@pytest.fixture
def app(settings):
    from marketplace.app import create_app

    application = create_app(settings)
    application.config["WTF_CSRF_ENABLED"] = False
    yield application
    application.extensions["insatstorget"].engine.dispose()
    clock.freeze(None)


@pytest.fixture
def csrf_app(settings):
    """An app with CSRF protection on, as in production."""
    from marketplace.app import create_app

    application = create_app(settings)
    yield application
    application.extensions["insatstorget"].engine.dispose()


@pytest.fixture
def engine(app):
    return app.extensions["insatstorget"].engine


@pytest.fixture
def db(engine):
    """A session for arranging and checking data; the test commits what it arranges."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client, app):
    """Sign a page client in: login(user) -> client.

    Admin and finance users then owe a second factor; the fixture marks the session's
    second factor done in the database (the TOTP flow itself is tested in
    tests/marketplace/security/test_second_factor.py), so tests sign in as often as they like.
    """

    def sign_in(user, password: str = DEFAULT_PASSWORD, target=None):
        target = target or client
        response = target.post("/logga-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        _finish_second_factor(app, target, user)
        return target

    return sign_in


def _owes_second_factor(app, user) -> bool:
    from marketplace.auth import totp
    from marketplace.auth.models import User

    with Session(app.extensions["insatstorget"].engine) as session:
        return totp.must_verify(session.get(User, user.id))


def _finish_second_factor(app, target, user) -> None:
    """Complete the second-factor step of a signed-in test client directly in the database."""
    from marketplace.auth import tokens
    from marketplace.auth.models import User, UserSession

    with target.session_transaction() as cookie:
        secret = cookie.get("_user_id")
    with Session(app.extensions["insatstorget"].engine) as session:
        row = session.query(UserSession).filter_by(session_hash=tokens.digest(secret)).one()
        if not row.second_factor_done:
            stored = session.get(User, user.id)
            stored.totp_secret = stored.totp_secret or TEST_TOTP_SECRET
            row.second_factor_done = True
            session.commit()


def _token_without_second_factor(app, user) -> str:
    """A bearer token for an admin/finance test user, issued directly (the TOTP check is tested apart)."""
    from datetime import timedelta

    from marketplace.auth import tokens
    from marketplace.auth.models import User

    with Session(app.extensions["insatstorget"].engine) as session:
        stored = session.get(User, user.id)
        stored.totp_secret = stored.totp_secret or TEST_TOTP_SECRET
        secret, _ = tokens.issue_api_token(session, stored, now=clock.now(), lifetime=timedelta(hours=8))
        session.commit()
    return secret


@pytest.fixture
def api(client, app):
    """An API caller: api(user) -> a helper with get/post/patch that sends the bearer token."""

    class _Api:
        def __init__(self, token: str | None):
            self.headers = {"Authorization": f"Bearer {token}"} if token else {}

        def get(self, path, **kwargs):
            return client.get(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

        def post(self, path, **kwargs):
            return client.post(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

        def patch(self, path, **kwargs):
            return client.patch(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

        def put(self, path, **kwargs):
            return client.put(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

        def delete(self, path, **kwargs):
            return client.delete(path, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def for_user(user=None, password: str = DEFAULT_PASSWORD):
        if user is None:
            return _Api(None)
        if _owes_second_factor(app, user):
            return _Api(_token_without_second_factor(app, user))
        response = client.post("/api/v1/auth/token", json={"email": user.email, "password": password})
        assert response.status_code == 200, response.get_data(as_text=True)
        return _Api(response.get_json()["token"])

    return for_user


@pytest.fixture
def staff_user(db):
    return make_user(db, organisation="RK", roles=["staff"], email="staff.rk@test.se")


@pytest.fixture
def other_staff_user(db):
    return make_user(db, organisation="ST", roles=["staff"], email="staff.st@test.se")


@pytest.fixture
def coordinator(db):
    return make_user(db, organisation="AMF", roles=["coordinator"], email="coord.amf@test.se")


@pytest.fixture
def other_coordinator(db):
    return make_user(db, organisation="HV", roles=["coordinator"], email="coord.hv@test.se")


@pytest.fixture
def finance_user(db):
    return enrol_totp(db, make_user(db, organisation="AMF", roles=["finance"], email="finance@test.se"))


@pytest.fixture
def admin_user(db):
    return enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="admin@test.se"))
