"""One action per URL (issue 16, item 4): each task action, email decision and playbook switch
is its own view on the core toolkit; the answers stay what they were (the row, the counts
out-of-band with `HX-Trigger: tasks-changed`, or a redirect to a checked `next`)."""

import json

import pytest
from django.urls import reverse

from playbooks.choices import EmailStatus
from playbooks.models import Playbook
from playbooks.services import playbook_save
from tests.factories import AccountFactory
from tests.factories.playbooks import EmailMessageFactory, PlaybookFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["task_complete", "task_snooze"])
def test_an_action_url_takes_only_post(csm_client, csm_user, name):
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    assert csm_client.get(reverse(f"playbooks:{name}", args=[task.pk])).status_code == 405


def test_a_refused_action_answers_the_row_with_the_error(csm_client, csm_user, htmx_headers):
    # given: a snooze without its number of days
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    csm_client.get(reverse("playbooks:inbox"))  # the page (and its form token) the CSM acts from
    # when
    response = csm_client.post(reverse("playbooks:task_snooze", args=[task.pk]), {"days": ""}, **htmx_headers)
    # then: the row again, with the error in it; no counts, no event
    body = response.content.decode()
    assert response.status_code == 400 and f'id="task-{task.pk}"' in body and 'role="alert"' in body
    assert "HX-Trigger" not in response.headers


def test_an_action_answers_the_row_and_the_counts(csm_client, csm_user, htmx_headers):
    task = TaskFactory(account=AccountFactory(owner=csm_user))
    csm_client.get(reverse("playbooks:inbox"))
    response = csm_client.post(reverse("playbooks:task_snooze", args=[task.pk]), {"days": "3"}, **htmx_headers)
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"]) == {"tasks-changed": {"counted": True}}
    body = response.content.decode()
    assert f'id="task-{task.pk}"' in body and 'id="inbox-summary" hx-swap-oob="true"' in body


@pytest.mark.parametrize(("name", "status"), [("email_approve", "queued"), ("email_reject", "rejected")])
def test_email_decisions_answer_the_row(csm_client, csm_user, htmx_headers, name, status):
    message = EmailMessageFactory(account__owner=csm_user)
    csm_client.get(reverse("playbooks:inbox"))
    response = csm_client.post(reverse(f"playbooks:{name}", args=[message.pk]), **htmx_headers)
    body = response.content.decode()
    message.refresh_from_db()
    assert response.status_code == 200 and f'id="email-{message.pk}"' in body
    assert message.status == status or (status == "queued" and message.status in ("queued", "sent", "failed"))


def test_an_email_decision_without_htmx_goes_back_to_the_inbox(csm_client, csm_user):
    message = EmailMessageFactory(account__owner=csm_user)
    csm_client.get(reverse("playbooks:inbox"))
    response = csm_client.post(reverse("playbooks:email_reject", args=[message.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("playbooks:inbox")


def test_a_refused_email_decision_is_a_message_and_the_row_as_it_is(client, csm_user, htmx_headers):
    # given: someone else's account's email
    message = EmailMessageFactory()
    client.force_login(csm_user)
    client.get(reverse("playbooks:inbox"))
    # when
    response = client.post(reverse("playbooks:email_approve", args=[message.pk]), **htmx_headers)
    # then
    message.refresh_from_db()
    assert response.status_code == 200 and message.status == EmailStatus.PENDING_APPROVAL


def test_toggle_goes_back_to_a_checked_next(admin_client):
    playbook = PlaybookFactory(enabled=False)
    detail = reverse("playbooks:playbook_detail", args=[playbook.pk])
    toggle = reverse("playbooks:playbook_toggle", args=[playbook.pk])
    admin_client.get(detail)
    assert admin_client.post(toggle, {"next": detail})["Location"] == detail
    assert Playbook.objects.get(pk=playbook.pk).enabled
    assert admin_client.post(toggle, {"next": "https://evil.example.com/"})["Location"] == reverse(
        "playbooks:playbook_list"
    )
    assert not Playbook.objects.get(pk=playbook.pk).enabled


def test_run_now_needs_an_enabled_playbook(admin_client):
    playbook = playbook_save(trigger_type="renewal_due", trigger_params={"days": 30}, actions=[], name="Renewals")
    admin_client.get(reverse("playbooks:playbook_detail", args=[playbook.pk]))
    response = admin_client.post(reverse("playbooks:playbook_run", args=[playbook.pk]), follow=True)
    assert "Enable the playbook to run it." in response.content.decode()
    assert not playbook.runs.exists()
