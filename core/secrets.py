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

    def rotate(self, stored: str) -> str:
        """The value re-encrypted under the first key (after a new key was put first)."""
        return self._fernet().rotate(stored.encode()).decode() if stored else ""
