"""Forms of the custom fields pages: a definition (admin), and one value's input on the
account page, typed by the field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CustomFieldEntity, CustomFieldType

__all__ = ["DefinitionForm", "value_from_post"]


class DefinitionForm(forms.Form):
    entity = forms.ChoiceField(label=_("On"), choices=CustomFieldEntity.choices)
    key = forms.SlugField(
        label=_("Key"),
        max_length=40,
        help_text=_("The name in the API and CSV files: lower-case letters, digits and _."),
    )
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    label_en = forms.CharField(label=_("Label (English)"), max_length=120)
    label_ar = forms.CharField(label=_("Label (Arabic)"), max_length=120, required=False)
    label_fa = forms.CharField(label=_("Label (Persian)"), max_length=120, required=False)
    label_zh_hans = forms.CharField(label=_("Label (Chinese)"), max_length=120, required=False)
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, for a choice or multiple-choice field."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    filterable = forms.BooleanField(
        label=_("Filter and sort the portfolio on it"), required=False, initial=True, help_text=_("Indexed.")
    )

    def __init__(self, *args, definition=None, **kwargs):
        if definition is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "entity": definition.entity,
                "key": definition.key,
                "field_type": definition.field_type,
                **{f"label_{lang.replace('-', '_')}": text for lang, text in definition.labels.items()},
                "choices_text": "\n".join(definition.choices),
                "required": definition.required,
                "filterable": definition.filterable,
            }
        super().__init__(*args, **kwargs)
        self.definition = definition
        if definition is not None:  # the key, the entity and the type stay: stored values are in their form
            for name in ("entity", "key", "field_type"):
                self.fields[name].disabled = True

    def labels(self) -> dict:
        data = self.cleaned_data
        return {
            lang: data.get(f"label_{lang.replace('-', '_')}", "")
            for lang in ("en", "ar", "fa", "zh-hans")
            if data.get(f"label_{lang.replace('-', '_')}")
        }

    def choices(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("choices_text") or "").splitlines() if line.strip()]


def value_from_post(definition, data) -> object:
    """The posted value of one field's input, as custom_field_values_clean takes it."""
    if definition.field_type == CustomFieldType.MULTI_CHOICE:
        return data.getlist("value")
    if definition.field_type == CustomFieldType.MONEY:
        amount = data.get("value", "").strip()
        if not amount:
            return None
        return f"{amount} {data.get('currency', '').strip()}".strip()
    return data.get("value", "")
