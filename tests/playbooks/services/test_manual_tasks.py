"""A task created by hand (issue 15, item 15), the service (playbooks/services/manual_tasks.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.choices import Role
from core.models import WebhookDelivery, WebhookEndpoint
from playbooks.choices import Priority, TaskStatus
from playbooks.models import Task
from playbooks.services import task_create
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


# Section: service


def test_task_create_defaults_to_me_and_emits_the_webhook(csm_user, django_capture_on_commit_callbacks):
    # given
    account = AccountFactory(owner=csm_user, name="Acme")
    WebhookEndpoint.objects.create(url="https://hooks.example.com/x", events=["task.created"], secret="s")
    # when
    task = task_create(user=csm_user, account=account, title="  Call about the renewal ", due_date=TODAY)
    # then
    assert (task.title, task.assignee, task.status, task.priority) == (
        "Call about the renewal",
        csm_user,
        TaskStatus.OPEN,
        Priority.NORMAL,
    )
    assert task.playbook is None and task.signal == {"source": "manual", "created_by": csm_user.pk}
    delivery = WebhookDelivery.objects.get(event="task.created")
    assert delivery.payload["task"]["id"] == task.pk and delivery.payload["playbook"] is None


def test_task_create_assigns_to_any_worker_like_reassign(csm_user, manager_user, readonly_user):
    account = AccountFactory(owner=csm_user)
    other_csm = UserFactory(role=Role.CSM)
    assert task_create(user=csm_user, account=account, title="x", due_date=TODAY, assignee=other_csm).assignee == (
        other_csm
    )
    assert task_create(user=csm_user, account=account, title="x", due_date=TODAY, assignee=manager_user).assignee == (
        manager_user
    )
    with pytest.raises(ValidationError) as exc:
        task_create(user=csm_user, account=account, title="x", due_date=TODAY, assignee=readonly_user)
    assert "assignee" in exc.value.message_dict


def test_task_create_reports_every_bad_field(csm_user):
    account = AccountFactory(owner=csm_user)
    with pytest.raises(ValidationError) as exc:
        task_create(user=csm_user, account=account, title=" ", due_date=TODAY - timedelta(days=1), priority=9)
    assert set(exc.value.message_dict) == {"title", "due_date", "priority"}
    with pytest.raises(ValidationError) as exc:
        task_create(user=csm_user, account=account, title="x", due_date=TODAY + timedelta(days=5 * 366 + 1))
    assert "due_date" in exc.value.message_dict
    assert not Task.objects.exists()


def test_readonly_user_cannot_create(readonly_user):
    with pytest.raises(PermissionDenied):
        task_create(user=readonly_user, account=AccountFactory(), title="x", due_date=TODAY)
    assert not Task.objects.exists()
