"""core.choice_labels: get_FOO_display() as Django writes it, in every language."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from accounts.models import Account
from core.choice_labels import ChoiceLabelsMixin

# Every model whose labels are shown in lists: the staff's role in the header, tasks, plans, surveys...
MODELS = sorted((m for m in apps.get_models() if issubclass(m, ChoiceLabelsMixin)), key=lambda m: m._meta.label)


def test_the_listed_models_use_the_mixin():
    labels = {m._meta.label for m in MODELS}
    assert {
        "accounts.Account",
        "core.User",
        "playbooks.Task",
        "playbooks.Playbook",
        "onboarding.SuccessPlan",
        "renewals.Opportunity",
        "renewals.Risk",
        "surveys.Survey",
        "surveys.SurveyResponse",
    } <= labels


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_choice_labels_are_djangos_in_every_language(model):
    fields = [f for f in model._meta.concrete_fields if f.choices]
    assert fields
    for language in ("en", "ar", "fa", "zh-hans"):
        with translation.override(language):
            for field in fields:
                for value in [v for v, _label in field.flatchoices] + ["not-a-choice", None]:
                    instance = model(**{field.attname: value})
                    ours = getattr(instance, f"get_{field.name}_display")()
                    assert ours == models.Model._get_FIELD_display(instance, field), (language, field.name, value)


def test_arabic_label_follows_the_active_language():
    account = Account(tier="key")
    with translation.override("ar"):
        arabic = account.get_tier_display()
    with translation.override("en"):
        english = account.get_tier_display()
    assert arabic != english
