"""Credentials at rest: `PULSE_CONNECTOR_KEY` (core.secrets; comma-separated keys rotate). In
development (no key given) it is derived from SECRET_KEY, so a checkout runs without set-up;
the settings refuse to start with DEBUG off and no key."""

from __future__ import annotations

from core.secrets import InvalidToken, SecretBox

__all__ = ["CredentialsUnreadable", "credentials_decrypt", "credentials_encrypt"]

BOX = SecretBox(setting="PULSE_CONNECTOR_KEY", salt=b"pulse-connectors:")


class CredentialsUnreadable(Exception):
    """The stored credentials do not decrypt with the current key (the key was changed)."""


def credentials_encrypt(values: dict) -> str:
    return BOX.encrypt_json(values)


def credentials_decrypt(token: str) -> dict:
    try:
        return BOX.decrypt_json(token)
    except InvalidToken as exc:
        raise CredentialsUnreadable("the credentials do not decrypt with PULSE_CONNECTOR_KEY") from exc
