"""Secrets at rest (connector credentials, OAuth tokens, CalDAV and IMAP passwords, Slack and
Teams secrets): Fernet from the `cryptography` package, one `SecretBox` per purpose.

A box's key comes from its setting: one Fernet key, or several separated by commas to rotate
(the first encrypts, every one decrypts: `MultiFernet`; `rotate()` re-encrypts a stored value
under the first). Without a key (development) one is derived from SECRET_KEY and the purpose's
salt, so a checkout runs without set-up and a database dump alone opens nothing."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "SecretBox"]


@cache
def _fernet(setting: str, keys: str, salt: bytes, secret_key: str) -> MultiFernet:
    if not keys.strip():
        derived = hashlib.sha256(salt + secret_key.encode()).digest()
        return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys.split(",") if key.strip()])
    except ValueError as exc:
        raise ImproperlyConfigured(f"{setting} is not a Fernet key (32 url-safe base64 bytes)") from exc


class SecretBox:
    """Encrypts and decrypts one purpose's secrets. `decrypt` raises `InvalidToken` when the
    value was stored under a key that is no longer configured."""

    def __init__(self, *, setting: str, salt: bytes):
        self.setting = setting
        self.salt = salt

    def _fernet(self) -> MultiFernet:
        return _fernet(self.setting, getattr(settings, self.setting, "") or "", self.salt, settings.SECRET_KEY)

    def encrypt(self, value: str) -> str:
        """The stored form ("" stays "")."""
        return self._fernet().encrypt(value.encode()).decode() if value else ""

    def decrypt(self, stored: str) -> str:
        return self._fernet().decrypt(stored.encode()).decode() if stored else ""

    def decrypt_or_empty(self, stored: str) -> str:
        """For secrets an admin simply enters again: unreadable reads as empty."""
        try:
            return self.decrypt(stored)
        except InvalidToken:
            return ""

    def encrypt_json(self, values: dict) -> str:
        return self.encrypt(json.dumps(values, sort_keys=True)) if values else ""

    def decrypt_json(self, stored: str) -> dict:
        return json.loads(self.decrypt(stored)) if stored else {}

    def field(self, column: str, *, unreadable_empty: bool = False, setting_first: str = "") -> property:
        """A model attribute that reads and writes a secret through its encrypted text column:
        `password = BOX.field("password_enc")`. A property, so `Model(password=...)` and
        `objects.create(password=...)` take it. `unreadable_empty` reads a value stored under a
        key no longer configured as empty; `setting_first` names a setting that, when set, wins
        over the stored value (an install's secret from the environment)."""

        def read(instance) -> str:
            if setting_first and getattr(settings, setting_first, ""):
                return getattr(settings, setting_first)
            stored = getattr(instance, column)
            return self.decrypt_or_empty(stored) if unreadable_empty else self.decrypt(stored)

        def write(instance, value: str) -> None:
            setattr(instance, column, self.encrypt(value))

        return property(read, write, doc=f"The secret kept encrypted in `{column}`.")

    def rotate(self, stored: str) -> str:
        """The value re-encrypted under the first key (after a new key was put first)."""
        return self._fernet().rotate(stored.encode()).decode() if stored else ""
