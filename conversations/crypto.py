"""Secrets at rest: OAuth tokens and CalDAV passwords are stored encrypted with Fernet
(`cryptography`), never in clear. The key is `PULSE_CONVERSATIONS_KEY` (a Fernet key), or in
development one derived from SECRET_KEY, so a database dump alone does not hand out mailboxes.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "secret_decrypt", "secret_encrypt"]


@cache
def _fernet(key: str, secret_key: str) -> Fernet:
    if key:
        try:
            return Fernet(key.encode())
        except ValueError as exc:
            raise ImproperlyConfigured(
                "PULSE_CONVERSATIONS_KEY is not a Fernet key (32 url-safe base64 bytes)"
            ) from exc
    derived = hashlib.sha256(b"pulse-conversations:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def _current() -> Fernet:
    return _fernet(settings.PULSE_CONVERSATIONS_KEY, settings.SECRET_KEY)


def secret_encrypt(value: str) -> str:
    """The stored form of a secret ("" stays "")."""
    if not value:
        return ""
    return _current().encrypt(value.encode()).decode()


def secret_decrypt(stored: str) -> str:
    """The secret back; raises InvalidToken when the key changed since it was stored."""
    if not stored:
        return ""
    return _current().decrypt(stored.encode()).decode()
