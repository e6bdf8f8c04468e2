"""Slack and Microsoft Teams: the workspace's Slack app settings, each user's Slack identity,
Teams incoming webhooks, and every message sent to either (the outbox a Celery task works)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ..crypto import BOX


class SlackWorkspace(models.Model):
    """The one Slack app this install talks to (one row). The bot token and signing secret are
    stored encrypted (conversations.crypto); SLACK_BOT_TOKEN / SLACK_SIGNING_SECRET in the
    environment win over them. `api_url` is Slack's Web API base (a local fake in tests)."""

    bot_token_encrypted = models.TextField(blank=True, default="")
    signing_secret_encrypted = models.TextField(blank=True, default="")
    default_channel = models.CharField(max_length=80, blank=True, default="")
    api_url = models.URLField(default="https://slack.com/api/")
    team_id = models.CharField(max_length=32, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.default_channel or "Slack"

    bot_token = BOX.field("bot_token_encrypted", unreadable_empty=True, setting_first="SLACK_BOT_TOKEN")
    signing_secret = BOX.field("signing_secret_encrypted", unreadable_empty=True, setting_first="SLACK_SIGNING_SECRET")

    @property
    def configured(self) -> bool:
        return bool(self.bot_token and self.signing_secret)


class SlackUserLink(models.Model):
    """A team member's Slack user id (found by their e-mail with users.lookupByEmail): where their
    direct messages go, and who they are when they press a button or type /pulse."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slack_link")
    slack_user_id = models.CharField(max_length=32, unique=True)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_id"]

    def __str__(self) -> str:
        return f"{self.user_id} = {self.slack_user_id}"


class TeamsWebhook(models.Model):
    """A Microsoft Teams channel's incoming webhook (its URL is a secret: stored encrypted); a
    playbook's "Alert in Slack or Teams" action names one as its destination."""

    name = models.CharField(max_length=80)
    url_encrypted = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    url = BOX.field("url_encrypted", unreadable_empty=True)


class ChatDelivery(models.Model):
    """One message to Slack (a channel or a user's DM) or to a Teams webhook, written before it is
    sent: a Celery task sends it and retries on 429 after Slack's Retry-After. `key` makes it
    once-only (a notification or playbook step retried inserts nothing)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    service = models.CharField(max_length=8)  # slack, teams
    target = models.CharField(max_length=80)  # a Slack channel or user id, or a TeamsWebhook pk
    key = models.CharField(max_length=191, unique=True)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.service}:{self.target} {self.status}"
