"""Secrets conversations keeps (Slack's bot token and signing secret, Teams webhook URLs),
encrypted at rest with Fernet (the `cryptography` package) under a key derived from SECRET_KEY,
or CONVERSATIONS_SECRET_KEY when set (rotating SECRET_KEY then leaves stored secrets readable).
A value that no longer decrypts reads as empty: the admin enters it again."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings

__all__ = ["secret_decrypt", "secret_encrypt"]


def _fernet() -> Fernet:
    material = getattr(settings, "CONVERSATIONS_SECRET_KEY", "") or settings.SECRET_KEY
    key = hashlib.sha256(f"conversations:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def secret_decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
