"""Task and email template forms (playbooks/views/templates.py)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_template_forms(admin_client):
    admin_client.get(reverse("playbooks:task_template_create"))  # the page that holds the form, as a browser has it
    response = admin_client.post(
        reverse("playbooks:task_template_create"),
        {
            "name": "Call",
            "title": "Call {% if account %}",
            "body": "",
            "priority": "2",
            "due_in_days": "3",
            "assignee_rule": "owner",
        },
    )
    assert response.status_code == 400  # template syntax error reported on the field
    response = admin_client.post(
        reverse("playbooks:task_template_create"),
        {
            "name": "Call",
            "title": "Call {{ account.name }}",
            "body": "",
            "priority": "2",
            "due_in_days": "3",
            "assignee_rule": "user",
        },
    )
    assert response.status_code == 400 and "assignee_user" in response.context["form"].errors
    response = admin_client.post(
        reverse("playbooks:email_template_create"), {"name": "Hi", "subject": "Hi {{ contact.name }}", "body": "Body"}
    )
    assert response.status_code == 302
