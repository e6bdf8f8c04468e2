"""A saved view of the portfolio (accounts.saved_views): a named list of conditions over the
view filter registry, private to its owner or shared with the team."""

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """`definition` = {"match": "all" | "any", "groups": [{"match": "all" | "any", "conditions":
    [{"field": "tier", "op": "in", "value": ["key"]}, ...]}, ...]}: the groups are combined by
    the top `match`, each group's conditions by its own (one level of groups). Checked by
    `saved_view_definition_clean`; `field` names a filter of the registry (accounts.saved_views.registry)."""

    name = models.CharField(max_length=80, verbose_name=_("name"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views", verbose_name=_("owner")
    )
    shared = models.BooleanField(default=False, verbose_name=_("shared"))
    definition = models.JSONField(default=dict, verbose_name=_("definition"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        app_label = "accounts"
        ordering = ["position", "name", "id"]
        indexes = [models.Index(fields=["owner", "shared"], name="savedview_owner_shared")]

    def __str__(self) -> str:
        return self.name
