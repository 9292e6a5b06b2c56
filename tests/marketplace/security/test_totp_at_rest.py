"""TOTP secrets are encrypted at rest (marketplace/field_crypto.py), and the key can be rotated.

The checks read the columns with raw SQL, as someone holding a copy of the database would.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pyotp
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from marketplace.kernel import field_crypto
from marketplace.auth.models import User
from tests.factories import DEFAULT_PASSWORD, TEST_TOTP_SECRET, enrol_totp, make_user

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=timezone.utc)


def _stored(engine, sql: str, **params):
    with engine.connect() as connection:
        return connection.execute(text(sql), params).scalar_one()


def _stored_secret(engine, user_id: int) -> str | None:
    return _stored(engine, "SELECT totp_secret FROM app_user WHERE id = :id", id=user_id)


def _sign_in_with_code(client, user, secret: str) -> int:
    assert client.post("/logga-in", data={"email": user.email, "password": DEFAULT_PASSWORD}).status_code == 302
    client.post("/logga-in/kod", data={"code": pyotp.TOTP(secret).at(T0)})
    return client.get("/admin/anvandare").status_code


@pytest.fixture(autouse=True)
def _keys_of_the_suite(settings):
    """A test that swaps the process's keys leaves the suite's keys behind."""
    yield
    field_crypto.configure(settings)


def test_enrolment_stores_neither_the_pending_nor_the_confirmed_secret_in_plaintext(client, db, engine, frozen_clock):
    frozen_clock(T0)
    admin = make_user(db, organisation="AMF", roles=["admin"], email="a@test.se")
    assert client.post("/logga-in", data={"email": admin.email, "password": DEFAULT_PASSWORD}).status_code == 302
    page = client.get("/konto/tvafaktor").get_data(as_text=True)
    secret = re.search(r"secret=([A-Z2-7]+)", page).group(1)
    pending = _stored(engine, "SELECT pending_secret FROM totp_state WHERE user_id = :id", id=admin.id)
    assert pending.startswith("fernet:") and secret not in pending
    assert client.post("/konto/tvafaktor", data={"code": pyotp.TOTP(secret).at(T0)}).status_code == 302
    stored = _stored_secret(engine, admin.id)
    assert stored.startswith("fernet:") and secret not in stored
    with Session(engine) as session:
        assert session.get(User, admin.id).totp_secret == secret  # the application reads the plain value


def test_sign_in_with_a_code_works_and_the_factory_secret_is_encrypted_too(client, db, engine, frozen_clock):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    stored = _stored_secret(engine, admin.id)
    assert TEST_TOTP_SECRET not in stored and stored.startswith("fernet:")
    assert _sign_in_with_code(client, admin, TEST_TOTP_SECRET) == 200


def test_a_token_is_issued_against_an_encrypted_secret(client, db, frozen_clock):
    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    body = {"email": admin.email, "password": DEFAULT_PASSWORD, "totp": pyotp.TOTP(TEST_TOTP_SECRET).at(T0)}
    assert client.post("/api/v1/auth/token", json=body).status_code == 200


def test_rotation_re_encrypts_with_the_new_key_and_the_old_key_can_then_go(app, settings, db, engine, frozen_clock):
    from marketplace.app import create_app
    from marketplace.cli import main

    frozen_clock(T0)
    admin = enrol_totp(db, make_user(db, organisation="AMF", roles=["admin"], email="a@test.se"))
    before = _stored_secret(engine, admin.id)

    # Step 1: the new key is current, the old one (here the secret key it was derived from) still decrypts.
    rotating = create_app(settings.model_copy(update={"field_key": "a-new-field-key", "field_keys_old": settings.secret_key}))
    rotating.config["WTF_CSRF_ENABLED"] = False
    result = rotating.test_cli_runner().invoke(main, ["rotate-field-key"], catch_exceptions=False)
    assert result.exit_code == 0 and "1 stored secrets re-encrypted" in result.output
    after = _stored_secret(engine, admin.id)
    assert after != before and TEST_TOTP_SECRET not in after
    rotating.extensions["insatstorget"].engine.dispose()

    # Step 2: the old key removed; the rotated secret still signs in.
    new_only = create_app(settings.model_copy(update={"field_key": "a-new-field-key"}))
    new_only.config["WTF_CSRF_ENABLED"] = False
    frozen_clock(T0)  # create_app set the clock from its settings
    assert _sign_in_with_code(new_only.test_client(), admin, TEST_TOTP_SECRET) == 200
    new_only.extensions["insatstorget"].engine.dispose()
    with pytest.raises(field_crypto.FieldKeyError, match="INSATSTORGET_FIELD_KEYS_OLD"):
        field_crypto.KeyRing(settings.secret_key).decrypt(after)  # the old key alone no longer reads it


def test_a_plaintext_secret_from_before_encryption_is_encrypted_by_the_rotation(app, db, engine, frozen_clock):
    """What migration 0012 does at upgrade: the same rotate_all over the rows."""
    frozen_clock(T0)
    admin = make_user(db, organisation="AMF", roles=["admin"], email="a@test.se")
    with engine.begin() as connection:
        connection.execute(text("UPDATE app_user SET totp_secret = :s WHERE id = :id"), {"s": TEST_TOTP_SECRET, "id": admin.id})
        assert field_crypto.rotate_all(connection) == 1
    stored = _stored_secret(engine, admin.id)
    assert stored.startswith("fernet:") and TEST_TOTP_SECRET not in stored
    with Session(engine) as session:
        assert session.get(User, admin.id).totp_secret == TEST_TOTP_SECRET


def test_a_changed_key_without_the_old_one_is_a_clear_error(settings):
    old = field_crypto.KeyRing(settings.secret_key).encrypt(TEST_TOTP_SECRET)
    with pytest.raises(field_crypto.FieldKeyError, match="rotate-field-key"):
        field_crypto.KeyRing("another-key").decrypt(old)
    assert field_crypto.KeyRing("another-key", [settings.secret_key]).decrypt(old) == TEST_TOTP_SECRET
