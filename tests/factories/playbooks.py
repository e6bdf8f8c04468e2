from datetime import timedelta

import factory
from django.utils import timezone

from playbooks.choices import (
    AssigneeRule,
    EmailStatus,
    PostKind,
    Priority,
    RunSource,
    RunStatus,
    TaskStatus,
    TriggerType,
)
from playbooks.models import (
    EmailMessage,
    EmailTemplate,
    Enrolment,
    OutboundPost,
    Playbook,
    PlaybookRun,
    Task,
    TaskTemplate,
)

from .accounts import AccountFactory


class TaskTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskTemplate

    name = factory.Sequence(lambda n: f"Task template {n}")
    title = "Call {{ account.name }}"
    body = "Because {{ reason }}"
    priority = Priority.HIGH
    due_in_days = 2
    assignee_rule = AssigneeRule.OWNER


class EmailTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailTemplate

    name = factory.Sequence(lambda n: f"Email template {n}")
    subject = "Hello from {{ account.name }}'s team"
    body = "Hi {{ contact.name }}, {{ csm.first_name }} here. We noticed: {{ reason }}."


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    account = factory.SubFactory(AccountFactory)
    title = factory.Sequence(lambda n: f"Task {n}")
    reason = "health fell from 72 to 41 in 7 days"
    priority = Priority.NORMAL
    due_date = factory.LazyFunction(lambda: timezone.now().date() + timedelta(days=1))
    assignee = factory.LazyAttribute(lambda t: t.account.owner)
    status = TaskStatus.OPEN


class PlaybookFactory(factory.django.DjangoModelFactory):
    """A playbook row as stored (no version snapshot: use `playbooks.services.playbook_save` to
    go through validation and versioning, as the `make_playbook` fixture does)."""

    class Meta:
        model = Playbook

    name = factory.Sequence(lambda n: f"Playbook {n}")
    trigger_type = TriggerType.RENEWAL_DUE
    trigger_params = factory.LazyFunction(lambda: {"days": 90})
    actions = factory.LazyFunction(list)
    enabled = True
    version = 1


class PlaybookRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaybookRun

    playbook = factory.SubFactory(PlaybookFactory)
    source = RunSource.MANUAL
    status = RunStatus.DONE
    as_of = factory.LazyFunction(lambda: timezone.now().date())
    playbook_version = factory.SelfAttribute("playbook.version")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    playbook = factory.SubFactory(PlaybookFactory)
    account = factory.SubFactory(AccountFactory)
    occurrence_key = factory.Sequence(lambda n: f"occurrence:{n}")
    reason = "renews soon"


class EmailMessageFactory(factory.django.DjangoModelFactory):
    """An email a playbook drafted; by default awaiting the CSM's approval."""

    class Meta:
        model = EmailMessage

    account = factory.SubFactory(AccountFactory)
    to_email = factory.Sequence(lambda n: f"contact{n}@example.com")
    subject = "Checking in"
    body = "Hi, checking in."
    status = EmailStatus.PENDING_APPROVAL


class OutboundPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundPost

    kind = PostKind.WEBHOOK
    url = "https://hooks.example.com/pulse"
    payload = factory.LazyFunction(lambda: {"event": "test"})
