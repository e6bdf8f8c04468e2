"""The account page's Tasks panel (playbooks/panels.py)."""

import pytest
from django.urls import reverse

from playbooks.choices import TaskStatus
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db


def test_account_panel_lists_open_tasks_in_constant_queries(csm_client, csm_user, django_assert_max_num_queries):
    from accounts.panels import PANELS

    account = AccountFactory(owner=csm_user)
    for _ in range(6):
        TaskFactory(account=account)
    TaskFactory(account=account, status=TaskStatus.DONE, title="Finished one")
    panel = PANELS["tasks"]
    with django_assert_max_num_queries(1):
        context = panel.get_context(None, account)
    assert len(context["tasks"]) == 6
    page = csm_client.get(reverse("accounts:detail", args=[account.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'id="account-tasks"' in body and "Finished one" not in body
