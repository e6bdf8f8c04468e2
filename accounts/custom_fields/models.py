"""The definition of one typed custom field on accounts or contacts (accounts.custom_fields).

The values stay in the `custom_fields` JSON of Account / Contact, keyed by `key`; this row says
what the key holds (its type, choices, whether it is required), how it is labelled in each
language, and whether the portfolio filters on it (an expression index on PostgreSQL)."""

from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CustomFieldEntity(models.TextChoices):
    ACCOUNT = "account", _("Account")
    CONTACT = "contact", _("Contact")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes / no")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    USER = "user", _("Team member")


LABEL_LANGUAGES = ("en", "ar", "fa", "zh-hans")


class CustomFieldDefinition(models.Model):
    """A typed custom field: `key` names the value in the entity's `custom_fields` JSON.

    `labels` maps a language code (en, ar, fa, zh-hans) to the label; English is required and
    is the fallback. `choices` lists the allowed values of a choice / multi-choice field. An
    archived field keeps its stored values but is no longer shown, written or filtered."""

    entity = models.CharField(
        max_length=8, choices=CustomFieldEntity.choices, default=CustomFieldEntity.ACCOUNT, verbose_name=_("entity")
    )
    key = models.SlugField(max_length=40, verbose_name=_("key"))
    field_type = models.CharField(max_length=16, choices=CustomFieldType.choices, verbose_name=_("field type"))
    labels = models.JSONField(default=dict, verbose_name=_("labels"))
    choices = models.JSONField(default=list, blank=True, verbose_name=_("choices"))
    required = models.BooleanField(default=False, verbose_name=_("required"))
    filterable = models.BooleanField(
        default=True, help_text=_("Filter and sort the portfolio on it (indexed)."), verbose_name=_("filterable")
    )
    archived = models.BooleanField(default=False, verbose_name=_("archived"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=_("position"))
    created_at = models.DateTimeField(default=dj_timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("custom field definition")
        verbose_name_plural = _("custom field definitions")
        app_label = "accounts"
        ordering = ["entity", "position", "key"]
        constraints = [models.UniqueConstraint(fields=["entity", "key"], name="customfield_entity_key")]

    def __str__(self) -> str:
        return f"{self.entity}.{self.key}"

    @property
    def label(self) -> str:
        """The label in the active language, else English, else the key."""
        language = (get_language() or "en").lower()
        return self.labels.get(language) or self.labels.get(language.split("-")[0]) or self.labels.get("en") or self.key

    @property
    def index_name(self) -> str:
        return f"cf_{self.entity[:3]}_{self.key}"[:63]
