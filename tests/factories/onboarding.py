import factory

from accounts.models import Persona
from onboarding.choices import ItemOwner, TouchModel
from onboarding.models import ChecklistTemplate, ChecklistTemplateItem


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Persona {n}")


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate

    name = factory.Sequence(lambda n: f"Checklist {n}")
    touch_model = TouchModel.TECH_TOUCH
    tiers = factory.LazyFunction(lambda: ["standard", "tech_touch"])
    value_event = "report_created"


class ChecklistTemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistTemplateItem

    template = factory.SubFactory(ChecklistTemplateFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Item {n}")
    owner = ItemOwner.CUSTOMER
    due_offset_days = 7
    completion_event = ""
