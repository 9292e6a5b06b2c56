"""Encryption at rest for secret columns (the TOTP secrets): Fernet, with key rotation.

A TOTP secret is a shared key: anyone holding a copy of the database (a backup, a replica,
a support dump) could otherwise compute the user's codes. The columns hold
"fernet:<token>"; the key is derived (HKDF-SHA256) from INSATSTORGET_FIELD_KEY, or from
INSATSTORGET_SECRET_KEY when no field key is set. Keys listed in INSATSTORGET_FIELD_KEYS_OLD
still decrypt (MultiFernet), so a key can be replaced without downtime; `insatstorget
rotate-field-key` then re-encrypts every stored value with the current key (and encrypts
any plaintext left from before encryption), after which the old keys can be removed.

The key ring is one per process, set by create_app (or the CLI) from the settings; code
that runs without an app (scripts, migrations) gets one built from the environment.
"""

from __future__ import annotations

import base64
import threading

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import String, column, inspect, select, table, update
from sqlalchemy.types import TypeDecorator

PREFIX = "fernet:"
_INFO = b"insatstorget field encryption v1"

# Every encrypted column: (table, key column, secret column). One list, used by the rotation.
ENCRYPTED_COLUMNS = (("app_user", "id", "totp_secret"), ("totp_state", "user_id", "pending_secret"),
                     ("webhook_endpoint", "id", "secret"))


class FieldKeyError(RuntimeError):
    """A stored value cannot be decrypted with the configured keys: the message says what to set."""


def _fernet(material: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(material.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


class KeyRing:
    """The current key (encrypts) and the old ones (only decrypt)."""

    def __init__(self, current: str, old: list[str] | tuple[str, ...] = ()):
        if not current:
            raise ValueError("a field key must not be empty")
        self._fernet = MultiFernet([_fernet(current), *(_fernet(key) for key in old if key)])

    @classmethod
    def from_settings(cls, settings) -> "KeyRing":
        from marketplace.kernel.config import DEVELOPMENT_SECRET_KEY

        current = settings.field_key or settings.secret_key or DEVELOPMENT_SECRET_KEY
        return cls(current, settings.old_field_keys)

    def encrypt(self, plain: str) -> str:
        return PREFIX + self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        if not stored.startswith(PREFIX):
            return stored  # written before encryption; migration 0012 (or `rotate-field-key`) encrypts it
        try:
            return self._fernet.decrypt(stored[len(PREFIX):].encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise FieldKeyError(
                "A stored TOTP secret cannot be decrypted: INSATSTORGET_FIELD_KEY (or, without it, "
                "INSATSTORGET_SECRET_KEY) changed. Put the previous key in INSATSTORGET_FIELD_KEYS_OLD "
                "and run `insatstorget rotate-field-key`."
            ) from None

    def rotated(self, stored: str) -> str:
        """The value encrypted with the current key (plaintext is encrypted, not kept)."""
        if not stored.startswith(PREFIX):
            return self.encrypt(stored)
        try:
            return PREFIX + self._fernet.rotate(stored[len(PREFIX):].encode("ascii")).decode("ascii")
        except InvalidToken:
            self.decrypt(stored)  # raises the explanatory FieldKeyError
            raise


_lock = threading.Lock()
_keyring: KeyRing | None = None


def configure(settings) -> None:
    """Use the keys of these settings in this process (create_app and the CLI call this)."""
    global _keyring
    with _lock:
        _keyring = KeyRing.from_settings(settings)


def keyring() -> KeyRing:
    global _keyring
    if _keyring is None:
        from marketplace.kernel.config import Settings

        with _lock:
            if _keyring is None:
                _keyring = KeyRing.from_settings(Settings())
    return _keyring


class EncryptedString(TypeDecorator):
    """A string column stored encrypted; Python code reads and writes the plain value."""

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else keyring().decrypt(value)


def rotate_all(connection, ring: KeyRing | None = None) -> int:
    """Re-encrypt every encrypted column with the current key; returns how many values changed."""
    ring = ring or keyring()
    changed = 0
    present = set(inspect(connection).get_table_names())
    for table_name, key_name, column_name in ENCRYPTED_COLUMNS:
        if table_name not in present:
            continue  # a migration older than the table (0012 runs before webhooks exist)
        raw = table(table_name, column(key_name), column(column_name, String))
        key, value = raw.c[key_name], raw.c[column_name]
        for row_key, stored in connection.execute(select(key, value).where(value.is_not(None))).all():
            new = ring.rotated(stored)
            if new != stored:
                connection.execute(update(raw).where(key == row_key).values({column_name: new}))
                changed += 1
    return changed
