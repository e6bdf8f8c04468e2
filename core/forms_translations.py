"""The form that writes admin-written content in one other language (core.content_translations):
one optional input per text of the objects given, labelled and hinted with the default-language
text, named `<kind>-<pk>-<field>` so the service can report an error on the input it concerns."""

from django import forms
from django.db import models
from django.utils.text import capfirst

__all__ = ["ContentTranslationForm"]


class ContentTranslationForm(forms.Form):
    """`objects` is a list of (kind, obj): obj takes core.content_translations.TranslatedContent.
    `entries` lists, per object, its bound fields (for templates grouping them), and `texts(kind)`
    gives {pk: {field: text}} for the service."""

    def __init__(self, *args, objects, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.entries = []
        self._names: dict[str, list[tuple[int, str, str]]] = {}
        for kind, obj in objects:
            names = []
            for field_name in obj.TRANSLATED_FIELDS:
                default = getattr(obj, field_name) or ""
                if not default:
                    continue
                model_field = obj._meta.get_field(field_name)
                long_text = isinstance(model_field, models.TextField) or "\n" in default
                attrs = {"dir": "auto", "lang": language, "placeholder": default[:200]}
                widget = forms.Textarea(attrs={**attrs, "rows": 6}) if long_text else forms.TextInput(attrs=attrs)
                name = f"{kind}-{obj.pk}-{field_name}"
                self.fields[name] = forms.CharField(
                    # A short text is labelled with itself in the default language; a long one
                    # with its field's name, the default text shown under it.
                    label=default if not long_text else capfirst(model_field.verbose_name),
                    help_text=default if long_text else "",
                    required=False,
                    max_length=model_field.max_length,
                    widget=widget,
                    initial=((obj.translations or {}).get(language) or {}).get(field_name, ""),
                    strip=True,
                )
                self._names.setdefault(kind, []).append((obj.pk, field_name, name))
                names.append(name)
            self.entries.append({"kind": kind, "object": obj, "fields": [self[n] for n in names]})

    def texts(self, kind: str) -> dict[int, dict[str, str]]:
        """{pk: {field: text}} of one kind of object, from the cleaned data."""
        result: dict[int, dict[str, str]] = {}
        for pk, field_name, name in self._names.get(kind, []):
            result.setdefault(pk, {})[field_name] = self.cleaned_data.get(name, "")
        return result
