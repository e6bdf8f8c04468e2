"""The team page (playbooks/views/team.py): managers only, their reports."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.choices import Role
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.now().date()


def test_team_view_is_for_managers(client, csm_user, manager_user, django_assert_max_num_queries):
    TaskFactory(account=AccountFactory(owner=csm_user), due_date=TODAY - timedelta(3), title="Old overdue")
    TaskFactory(account=AccountFactory(owner=csm_user), due_date=TODAY)
    client.force_login(csm_user)
    assert client.get(reverse("playbooks:team")).status_code == 403
    client.force_login(manager_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("playbooks:team"))
    assert response.status_code == 200
    load = {m.pk: m for m in response.context["members"]}
    assert load[csm_user.pk].open_count == 2 and load[csm_user.pk].overdue_count == 1
    assert "Old overdue" in response.content.decode()


def test_team_is_the_managers_reports(client, manager_user, csm_user):
    outsider = UserFactory(role=Role.CSM, first_name="Out", last_name="Sider")
    client.force_login(manager_user)
    names = [m.pk for m in client.get(reverse("playbooks:team")).context["members"]]
    assert csm_user.pk in names and outsider.pk not in names
