from datetime import timedelta

import factory
from django.utils import timezone

from playbooks.choices import AssigneeRule, Priority, TaskStatus
from playbooks.models import EmailTemplate, Task, TaskTemplate

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
