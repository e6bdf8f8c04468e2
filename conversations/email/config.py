"""Writes of the inbound e-mail settings: what is kept and ignored, the address's token, the IMAP
mailboxes. Admin-only (the views check); every change is in the audit trail (apps.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ImapMailbox, InboundSettings
from ..models.mail import new_tag, new_token

__all__ = [
    "domains_clean",
    "imap_mailbox_create",
    "imap_mailbox_delete",
    "inbound_settings_update",
    "inbound_token_rotate",
]

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def domains_clean(value: str | Iterable[str], *, field: str) -> list[str]:
    """Domains typed one per line or separated by commas or spaces; "@" and a leading dot
    dropped; each checked."""
    items = re.split(r"[\s,;]+", value) if isinstance(value, str) else list(value)
    cleaned: list[str] = []
    for item in items:
        domain = item.strip().lower().lstrip("@.").rstrip(".")
        if not domain:
            continue
        if not DOMAIN.match(domain):
            raise ValidationError({field: _("“%(domain)s” is not a domain name.") % {"domain": domain[:80]}})
        if domain not in cleaned:
            cleaned.append(domain)
    if len(cleaned) > 200:
        raise ValidationError({field: _("At most 200 domains.")})
    return cleaned


@transaction.atomic
def inbound_settings_update(
    *, keep_body: bool, tracking_default: bool, team_domains: str | list[str], excluded_domains: str | list[str]
) -> InboundSettings:
    config = InboundSettings.load()
    config.keep_body = keep_body
    config.tracking_default = tracking_default
    config.team_domains = domains_clean(team_domains, field="team_domains")
    config.excluded_domains = domains_clean(excluded_domains, field="excluded_domains")
    config.save(update_fields=["keep_body", "tracking_default", "team_domains", "excluded_domains", "updated_at"])
    return config


@transaction.atomic
def inbound_token_rotate() -> InboundSettings:
    """A new token and address: the old ones stop working at once (404)."""
    config = InboundSettings.load()
    config.token = new_token()
    config.address_tag = new_tag()
    config.rotated_at = timezone.now()
    config.save(update_fields=["token", "address_tag", "rotated_at", "updated_at"])
    return config


def imap_mailbox_create(
    *, name: str, host: str, port: int, security: str, username: str, password: str, folder: str = "INBOX"
) -> ImapMailbox:
    if security not in ImapMailbox.Security.values:
        raise ValidationError({"security": _("Choose TLS, STARTTLS or none.")})
    if not (0 < int(port) < 65536):
        raise ValidationError({"port": _("A port is a number from 1 to 65535.")})
    return ImapMailbox.objects.create(
        name=name.strip()[:120] or host,
        host=host.strip(),
        port=int(port),
        security=security,
        username=username,
        password=password,
        folder=folder.strip() or "INBOX",
    )


def imap_mailbox_delete(*, mailbox: ImapMailbox) -> None:
    mailbox.delete()
