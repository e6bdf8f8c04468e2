"""Playbooks' saved-view filter: open (and snoozed) tasks per account."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.saved_views import saved_view_accounts, saved_view_definition_clean
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db


def test_open_tasks_count():
    user = UserFactory()
    busy, idle = AccountFactory(name="busy"), AccountFactory(name="idle")
    TaskFactory(account=busy)
    TaskFactory(account=busy, status="snoozed", snoozed_until=timezone.now().date() + timedelta(days=3))
    TaskFactory(account=idle, status="done")

    def names(op, value):
        definition = saved_view_definition_clean(
            {"conditions": [{"field": "open_tasks", "op": op, "value": value}]}, user=user
        )
        return sorted(saved_view_accounts(definition=definition, user=user).values_list("name", flat=True))

    assert names("gte", 2) == ["busy"]
    assert names("lte", 0) == ["idle"]
