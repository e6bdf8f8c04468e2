"""The link between a Pulse user and their identity at a provider (OIDC `sub`, SAML NameID,
SCIM `externalId`/`id`). One user may have several (SSO and SCIM for the same person)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExternalIdentity(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_identities", verbose_name=_("user")
    )
    # "oidc", "saml" or "scim" (a configured provider's key when there are several).
    provider = models.CharField(_("provider"), max_length=40)
    subject = models.CharField(_("subject"), max_length=255)
    # The provider's own id for the person when it sends one besides `subject` (SCIM `externalId`).
    external_id = models.CharField(_("external id"), max_length=255, blank=True, default="")
    # What the provider last said about the person, as it said it (SCIM: the whole resource, so
    # attributes Pulse has no column for still read back as they were written).
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    groups = models.JSONField(_("groups"), default=list, blank=True)
    # The provider turned the user off (SCIM `active: false`, or removed from every mapped group):
    # a later sign-in or provisioning call may bring them back. One an admin deactivated stays so.
    deactivated_by_provider = models.BooleanField(_("deactivated by the provider"), default=False)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        app_label = "core"
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="core_external_identity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"
