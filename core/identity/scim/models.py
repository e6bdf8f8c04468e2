"""SCIM Groups: the provider's groups pushed to Pulse with their members. A group's displayName maps
to a role through PULSE_SSO_GROUP_ROLES; a group that maps to none is kept (the provider may push
any group) and gives no role."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScimGroup(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(_("name"), max_length=255, unique=True)
    external_id = models.CharField(_("external id"), max_length=255, blank=True, default="")
    # The resource as the provider last wrote it (members excepted: those are the relation below).
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="scim_groups", blank=True, verbose_name=_("members")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "core"
        ordering = ["display_name"]
        verbose_name = _("SCIM group")
        verbose_name_plural = _("SCIM groups")

    def __str__(self) -> str:
        return self.display_name
