"""core.choice_labels: get_FOO_display() as Django writes it, in every language."""

from django.db import models
from django.utils import translation

from accounts.models import Account


def test_choice_labels_are_djangos_in_every_language():
    fields = [f for f in Account._meta.concrete_fields if f.choices]
    assert fields
    for language in ("en", "ar", "fa", "zh-hans"):
        with translation.override(language):
            for field in fields:
                for value in [v for v, _label in field.flatchoices] + ["not-a-choice", None]:
                    account = Account(**{field.attname: value})
                    ours = getattr(account, f"get_{field.name}_display")()
                    assert ours == models.Model._get_FIELD_display(account, field), (language, field.name, value)


def test_arabic_label_follows_the_active_language():
    account = Account(tier="key")
    with translation.override("ar"):
        arabic = account.get_tier_display()
    with translation.override("en"):
        english = account.get_tier_display()
    assert arabic != english
