"""Choices of the connectors app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    PULL = "pull", _("Pull (vendor → Pulse)")
    PUSH = "push", _("Push (Pulse → vendor)")
    BOTH = "both", _("Both ways")


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    NEEDS_AUTH = "needs_auth", _("Needs authorisation")
    PAUSED = "paused", _("Paused")


class AuthKind(models.TextChoices):
    TOKEN = "token", _("Token")
    OAUTH = "oauth", _("OAuth 2")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Deletions(models.TextChoices):
    KEEP = "keep", _("Keep our record (log it)")
    DELETE = "delete", _("Delete our record")
