"""Factories for onboarding's models: rows as they are stored, without the services' work
(use `onboarding.services` to start a plan or a checklist with its goals or items)."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Persona
from onboarding.choices import ItemOwner, MapVersionStatus, MilestoneKind, TouchModel, VehicleKind
from onboarding.models import (
    AccountChecklist,
    AccountChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    Milestone,
    PlanGoal,
    PlanShareLink,
    Stage,
    SuccessMap,
    SuccessMapVersion,
    SuccessPlan,
    SuccessVehicle,
)

from .accounts import AccountFactory


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Persona {n}")


# Section: success maps


class SuccessMapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessMap

    persona = factory.SubFactory(PersonaFactory)
    name = factory.Sequence(lambda n: f"Map {n}")


class SuccessMapVersionFactory(factory.django.DjangoModelFactory):
    """A published version 1 (pass `status=MapVersionStatus.DRAFT` for a draft)."""

    class Meta:
        model = SuccessMapVersion

    success_map = factory.SubFactory(SuccessMapFactory)
    number = 1
    status = MapVersionStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    version = factory.SubFactory(SuccessMapVersionFactory)
    position = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"Stage {n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    stage = factory.SubFactory(StageFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Milestone {n}")
    kind = MilestoneKind.MANUAL


class SuccessVehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessVehicle

    stage = factory.SubFactory(StageFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Vehicle {n}")
    kind = VehicleKind.CURRICULUM


# Section: success plans


class SuccessPlanFactory(factory.django.DjangoModelFactory):
    """An active plan on a stage of its version."""

    class Meta:
        model = SuccessPlan

    account = factory.SubFactory(AccountFactory)
    current_stage = factory.SubFactory(StageFactory)
    map_version = factory.SelfAttribute("current_stage.version")
    target_stage = factory.SelfAttribute("current_stage")


class PlanGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanGoal

    plan = factory.SubFactory(SuccessPlanFactory)
    stage = factory.SelfAttribute("plan.current_stage")
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Goal {n}")


class PlanShareLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanShareLink

    plan = factory.SubFactory(SuccessPlanFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


# Section: checklists


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


class AccountChecklistFactory(factory.django.DjangoModelFactory):
    """An active checklist (one per account at a time)."""

    class Meta:
        model = AccountChecklist

    account = factory.SubFactory(AccountFactory)
    template = factory.SubFactory(ChecklistTemplateFactory)
    name = factory.SelfAttribute("template.name")
    contract_start = factory.LazyFunction(lambda: timezone.now().date())
    value_event = factory.SelfAttribute("template.value_event")


class AccountChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountChecklistItem

    checklist = factory.SubFactory(AccountChecklistFactory)
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"Step {n}")
    owner = ItemOwner.CUSTOMER
    due_date = factory.LazyAttribute(lambda item: item.checklist.contract_start + timedelta(days=7))
