import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from playbooks.models import Playbook, Task
from tests.factories import AccountFactory
from tests.factories.playbooks import TaskFactory, TaskTemplateFactory

pytestmark = pytest.mark.django_db


def test_playbooks_api_admin_writes_with_field_errors(admin_user, csm_user):
    template = TaskTemplateFactory()
    client = APIClient()
    body = {
        "name": "Detractors",
        "trigger_type": "survey_answer",
        "trigger_params": {"answer": "detractor"},
        "actions": [{"type": "task", "template": template.pk}],
        "enabled": True,
    }
    client.force_authenticate(csm_user)
    assert client.post(reverse("playbooks-api:playbook-list"), body, format="json").status_code == 403
    client.force_authenticate(admin_user)
    bad = client.post(
        reverse("playbooks-api:playbook-list"), body | {"trigger_params": {"answer": "angry"}}, format="json"
    )
    assert bad.status_code == 400 and "trigger_params" in bad.json()
    created = client.post(reverse("playbooks-api:playbook-list"), body, format="json")
    assert created.status_code == 201 and created.json()["version"] == 1
    pk = created.json()["id"]
    patched = client.patch(reverse("playbooks-api:playbook-detail", args=[pk]), {"cooldown_days": 3}, format="json")
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert Playbook.objects.get(pk=pk).versions.count() == 2


def test_tasks_api_list_and_complete(csm_user, api_read):
    task = TaskFactory(account=AccountFactory(owner=csm_user, external_id="acme"))
    TaskFactory(status="done")
    listed = api_read.get(reverse("playbooks-api:task-list"), {"status": "open"})
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [r["id"] for r in rows] == [task.pk] and rows[0]["reason"] == task.reason
    assert rows[0]["account_external_id"] == "acme"
    assert api_read.get(reverse("playbooks-api:task-list"), {"status": "nope"}).status_code == 400
    client = APIClient()
    client.force_authenticate(csm_user)
    url = reverse("playbooks-api:task-complete", args=[task.pk])
    assert client.post(url, {}, format="json").status_code == 400
    done = client.post(url, {"outcome_note": "Done by phone"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Task.objects.get(pk=task.pk).outcome_note == "Done by phone"
