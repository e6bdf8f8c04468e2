import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit.models import AuditAction, AuditEvent  # noqa: F401  (the audit trail's table is core's)
from .choice_labels import ChoiceLabelsMixin
from .choices import ROLE_RANK, APIKeyScope, Calendar, Digits, Role
from .identity.models import ExternalIdentity  # noqa: F401  (SSO and SCIM identities)
from .identity.scim.models import ScimGroup  # noqa: F401  (groups pushed by SCIM provisioning)
from .invitations.models import Invitation  # noqa: F401  (invitations to join the team)
from .outbox.models import OutboxMessage  # noqa: F401  (work kept while the broker is down)


class User(ChoiceLabelsMixin, AbstractUser):
    """A member of the CS team. `role` decides what they may do everywhere:
    read-only users change nothing, CSMs work accounts, managers also see and steer the
    team's work, admins configure the platform."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CSM)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("manager")
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    # What the user's pages and e-mails (notifications, the daily digest) are written in, when
    # their morning is, and how numbers and dates are shown to them (core.i18n, docs/i18n.md).
    # The header's language switch and the profile page (/me/) set them.
    language = models.CharField(_("language"), max_length=16, blank=True, help_text=_("Empty: the browser's language."))
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", help_text=_("An IANA zone, e.g. Europe/Paris.")
    )
    digits = models.CharField(
        _("digits"),
        max_length=8,
        choices=Digits.choices,
        default=Digits.WESTERN,
        help_text=_("For Arabic and Persian: the digits numbers are written with."),
    )
    calendar = models.CharField(
        _("calendar"),
        max_length=16,
        choices=Calendar.choices,
        default=Calendar.GREGORIAN,
        help_text=_("For Persian: the calendar dates are shown in. Dates are stored as they are."),
    )

    class Meta:
        ordering = ["first_name", "last_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role(self, role: str) -> bool:
        """True when the user's role is `role` or above it (superusers count as admins)."""
        if self.is_superuser:
            return True
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]

    @property
    def can_work_accounts(self) -> bool:
        return self.is_active and self.has_role(Role.CSM)

    @property
    def is_manager(self) -> bool:
        return self.is_active and self.has_role(Role.MANAGER)

    @property
    def is_admin(self) -> bool:
        return self.is_active and self.has_role(Role.ADMIN)

    @property
    def initials(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p] or [self.username]
        return "".join(p[0] for p in parts[:2]).upper()


class APIKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class APIKey(models.Model):
    """A secret for machines. Only its SHA-256 is stored (the key has 256 bits of entropy,
    so a slow hash buys nothing); the plain key is shown once, when created.

    A key with a `user` is that user's personal token: a request with it acts as the user (their
    role and their book, accounts.access), its scope no longer applies. A key without one is a
    machine key and keeps its scope."""

    PREFIX = "csk_"

    name = models.CharField(max_length=120, verbose_name=_("name"))
    scope = models.CharField(max_length=16, choices=APIKeyScope.choices, verbose_name=_("scope"))
    key_prefix = models.CharField(
        max_length=16, db_index=True, help_text=_("First characters, to recognise a key."), verbose_name=_("key prefix")
    )
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key hash"))
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text=_("A personal token acts as this user (role and book); empty for a machine key."),
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))

    objects = APIKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode()).hexdigest()

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# Section: outbound webhooks


class WebhookEndpoint(models.Model):
    """A URL outside that wants to hear about some of our events (health band changed, task
    created, survey answered, account churned). Every POST is signed with `secret`
    (HMAC-SHA256, see core.webhooks)."""

    url = models.URLField(max_length=500, verbose_name=_("URL"))
    description = models.CharField(max_length=200, blank=True, verbose_name=_("description"))
    events = models.JSONField(default=list, help_text=_('Event names, or ["*"] for all.'), verbose_name=_("events"))
    secret = models.CharField(max_length=128, verbose_name=_("secret"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        ordering = ["url", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.is_active and ("*" in self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one endpoint, with every attempt's outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RETRYING = "retrying", _("Retrying")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(max_length=64, verbose_name=_("event"))
    payload = models.JSONField(default=dict, verbose_name=_("payload"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    response_status = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("response status"))
    response_body = models.TextField(blank=True, verbose_name=_("response body"))
    error = models.TextField(blank=True, verbose_name=_("error"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last attempt at"))
    next_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next attempt at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["endpoint", "-created_at"], name="webhook_delivery_endpoint"),
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"
