"""The API shape of admin-written content per language (core.content_translations):
`{"ar": {"name": "..."}, "zh-hans": {...}}`, the default language's texts being the object's own fields."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

__all__ = ["TranslationsField"]


class TranslationsField(serializers.DictField):
    """{language code (settings.LANGUAGES, not the default): {field: text}}; a text not written shows the
    default language's. The service checks the codes, fields and lengths (400 naming the field)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _("Texts in other languages: {language: {field: text}}; one not written shows the default language's."),
        )
        super().__init__(child=serializers.DictField(child=serializers.CharField(allow_blank=True)), **kwargs)
