"""Conversations' secrets at rest, one key for all of them: OAuth tokens, CalDAV and IMAP
passwords, Slack's bot token and signing secret, Teams webhook URLs. The key is
`PULSE_CONVERSATIONS_KEY` (a Fernet key; comma-separated keys rotate), or in development one
derived from SECRET_KEY (core.secrets)."""

from __future__ import annotations

from core.secrets import InvalidToken, SecretBox

__all__ = ["BOX", "InvalidToken", "secret_decrypt", "secret_encrypt"]

BOX = SecretBox(setting="PULSE_CONVERSATIONS_KEY", salt=b"pulse-conversations:")


def secret_encrypt(value: str) -> str:
    """The stored form of a secret ("" stays "")."""
    return BOX.encrypt(value)


def secret_decrypt(stored: str) -> str:
    """The secret back; raises InvalidToken when the key changed since it was stored."""
    return BOX.decrypt(stored)
