"""Signed, revocable, expiring links for customers who never log in (a shared success plan, a
value report): the URL carries a signed token naming a link row and its nonce; the row says
whether the link still works. One mechanism for every app (onboarding's plan links, reports'
value report links); each app keeps its own link table (with these fields) and its own salt.

A link row has `nonce`, `expires_at`, `revoked_at` and `last_viewed_at`. Forged tokens, or
tokens naming no row (or an older nonce), raise `SignedLinkInvalid` (answer 404); revoked or
expired links raise `SignedLinkGone` with the reason (answer 410)."""

from __future__ import annotations

import secrets

from django.core import signing
from django.db.models import Model, QuerySet
from django.utils import timezone

__all__ = [
    "SignedLinkGone",
    "SignedLinkInvalid",
    "signed_link_load",
    "signed_link_nonce",
    "signed_link_revoke",
    "signed_link_token",
    "signed_link_usable",
    "signed_link_viewed",
]


class SignedLinkInvalid(Exception):
    """The token is forged or names no link: answer 404."""


class SignedLinkGone(Exception):
    """The link was revoked or has expired: answer 410."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def signed_link_nonce() -> str:
    return secrets.token_hex(6)


def signed_link_token(link: Model, *, salt: str) -> str:
    return signing.dumps([link.pk, link.nonce], salt=salt, compress=True)


def signed_link_usable(link: Model, now=None) -> bool:
    now = now or timezone.now()
    return link.revoked_at is None and link.expires_at > now


def signed_link_load[L: Model](token: str, *, queryset: QuerySet[L], salt: str) -> L:
    """The link row the token names (from `queryset`, e.g. with its select_related), or raise."""
    try:
        link_id, nonce = signing.loads(token, salt=salt)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise SignedLinkInvalid from exc
    link = queryset.filter(pk=link_id, nonce=nonce).first()
    if link is None:
        raise SignedLinkInvalid
    if link.revoked_at is not None:
        raise SignedLinkGone("revoked")
    if not signed_link_usable(link):
        raise SignedLinkGone("expired")
    return link


def signed_link_revoke[L: Model](link: L) -> L:
    """Revoke (once: revoking again keeps the first time)."""
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def signed_link_viewed(link: Model) -> None:
    """Note when the customer last opened the link (one UPDATE, no signals)."""
    type(link).objects.filter(pk=link.pk).update(last_viewed_at=timezone.now())
