"""Credentials at rest: one Fernet key (`cryptography`), from the environment's
`PULSE_CONNECTOR_KEY`; in development (no key given) derived from SECRET_KEY, so a checkout
runs without set-up. The settings refuse to start with DEBUG off and no key."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

__all__ = ["CredentialsUnreadable", "credentials_decrypt", "credentials_encrypt"]


class CredentialsUnreadable(Exception):
    """The stored credentials do not decrypt with the current key (the key was changed)."""


def _fernet() -> Fernet:
    key = getattr(settings, "PULSE_CONNECTOR_KEY", "")
    if not key:
        digest = hashlib.sha256(b"pulse-connectors:" + settings.SECRET_KEY.encode()).digest()
        key = base64.urlsafe_b64encode(digest).decode()
    return Fernet(key.encode() if isinstance(key, str) else key)


def credentials_encrypt(values: dict) -> str:
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def credentials_decrypt(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise CredentialsUnreadable("the credentials do not decrypt with PULSE_CONNECTOR_KEY") from exc
