"""E-mail as conversations: the workspace's inbound settings, threads, messages and IMAP mailboxes.

Every e-mail the product sees (the inbound address, provider webhooks, IMAP, Gmail / Microsoft
365 sync, compose) is one `MailMessage` in one `MailThread`, written only by
`conversations.email.ingest.email_ingest` (inbound) and `conversations.compose` (outbound). A
matched message also has one timeline entry (`accounts.Activity`, kind "email").
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..crypto import BOX


def new_token() -> str:
    return secrets.token_urlsafe(24)


def new_tag() -> str:
    return secrets.token_hex(5)


class InboundSettings(models.Model):
    """One row: the workspace's inbound address and token, and what is kept or ignored."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    address_tag = models.CharField(max_length=32, unique=True, default=new_tag)
    keep_body = models.BooleanField(
        default=True, help_text=_("Keep the whole text of e-mails; otherwise only a short snippet.")
    )
    team_domains = models.JSONField(default=list, blank=True)
    excluded_domains = models.JSONField(default=list, blank=True)
    tracking_default = models.BooleanField(default=False)
    rotated_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "inbound e-mail settings"

    def __str__(self) -> str:
        return "Inbound e-mail settings"

    @classmethod
    def load(cls) -> InboundSettings:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @property
    def address(self) -> str:
        return f"{settings.INBOUND_EMAIL_LOCALPART}+{self.address_tag}@{settings.INBOUND_EMAIL_DOMAIN}"


class MailThread(models.Model):
    """Messages joined by Message-ID / In-Reply-To / References (see `ThreadKey`)."""

    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="mail_threads"
    )
    subject = models.CharField(max_length=255, blank=True)
    first_message_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_message_at", "-id"]

    def __str__(self) -> str:
        return self.subject or f"thread {self.pk}"


class ThreadKey(models.Model):
    """Every Message-ID a thread has seen, its own messages' and the ones they refer to, by a
    SHA-256 of the normalised id: a reply that arrives before its parent still finds the
    thread, and the parent joins it later."""

    key = models.CharField(max_length=64, unique=True)
    thread = models.ForeignKey(MailThread, on_delete=models.CASCADE, related_name="keys")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.key


class MailMessage(models.Model):
    """One e-mail. `dedupe_key` is unique: the same message from two paths (BCC and IMAP, or
    a provider's retry) is stored once."""

    class Direction(models.TextChoices):
        INBOUND = "in", _("Received")
        OUTBOUND = "out", _("Sent")

    class Status(models.TextChoices):
        MATCHED = "matched", _("On the timeline")
        REVIEW = "review", _("Waiting for review")
        IGNORED = "ignored", _("Ignored")
        INTERNAL = "internal", _("Internal only")
        EXCLUDED = "excluded", _("Excluded domain")

    class Source(models.TextChoices):
        INBOUND = "inbound", _("Inbound address")
        SENDGRID = "sendgrid", "SendGrid"
        MAILGUN = "mailgun", "Mailgun"
        POSTMARK = "postmark", "Postmark"
        IMAP = "imap", "IMAP"
        GMAIL = "gmail", "Gmail"
        GRAPH = "graph", "Microsoft 365"
        COMPOSE = "compose", _("Written here")

    thread = models.ForeignKey(MailThread, null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    dedupe_key = models.CharField(max_length=64, unique=True)
    message_id = models.TextField(blank=True)
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.REVIEW)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.INBOUND)
    mailbox = models.CharField(max_length=255, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    from_name = models.CharField(max_length=255, blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    snippet = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(default=0)
    attachments = models.JSONField(default=list, blank=True)
    flags = models.JSONField(default=list, blank=True)
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="mail_messages"
    )
    contact = models.ForeignKey(
        "accounts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="mail_messages"
    )
    activity = models.ForeignKey(
        "accounts.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tracking = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    open_count = models.PositiveIntegerField(default=0)
    clicked_at = models.DateTimeField(null=True, blank=True)
    click_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="mail_status_received"),
            models.Index(fields=["from_address"], name="mail_from"),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id or f"message {self.pk}"

    @property
    def is_forged(self) -> bool:
        return "forged_from" in (self.flags or [])


class ImapMailbox(models.Model):
    """A mailbox polled over IMAP by UID: `last_uid` is the highest UID ingested under
    `uidvalidity`, so a poll resumes where the last one stopped and a new UIDVALIDITY starts over
    (the dedupe key keeps that from storing anything twice)."""

    class Security(models.TextChoices):
        SSL = "ssl", _("TLS (IMAPS)")
        STARTTLS = "starttls", "STARTTLS"
        NONE = "none", _("None (local servers only)")

    name = models.CharField(max_length=120)
    host = models.CharField(max_length=255)
    port = models.PositiveIntegerField(default=993)
    security = models.CharField(max_length=8, choices=Security.choices, default=Security.SSL)
    username = models.CharField(max_length=255)
    # encrypted at rest (conversations.crypto); use the `password` property
    password_enc = models.TextField(blank=True, default="")
    folder = models.CharField(max_length=255, default="INBOX")
    enabled = models.BooleanField(default=True)
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    last_uid = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    password = BOX.field("password_enc", unreadable_empty=True)
