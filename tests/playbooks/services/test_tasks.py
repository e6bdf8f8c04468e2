"""Task writes (playbooks/services/tasks.py)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from playbooks.choices import TaskStatus
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def test_snoozed_tasks_wake_up(csm_user):
    from playbooks.services import task_reopen_snoozed, task_snooze

    task = TaskFactory(account=AccountFactory(owner=csm_user))
    with pytest.raises(ValidationError):
        task_snooze(task=task, user=csm_user, until=TODAY)
    task_snooze(task=task, user=csm_user, until=TODAY + timedelta(days=2))
    assert task_reopen_snoozed(today=TODAY + timedelta(days=1)) == 0
    assert task_reopen_snoozed(today=TODAY + timedelta(days=2)) == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN and task.snoozed_until is None
