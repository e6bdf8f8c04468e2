"""The Slack app against a local fake of Slack's Web API (tests/conversations/fake_slack.py):
signed requests (valid, stale, forged), /pulse, buttons that complete or snooze a task (twice),
alerts routed by each user's choices, 429 retries, linking by e-mail, the playbook action to a
Teams channel, and the settings page."""

import json
import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Activity
from conversations.models import ChatDelivery, SlackUserLink, SlackWorkspace, TeamsWebhook
from conversations.slack.delivery import chat_deliveries_queue
from conversations.slack.services import slack_user_channels_set, slack_user_link, teams_webhook_create
from playbooks.choices import TaskStatus
from playbooks.services.tasks import tasks_assigned_announce
from tests.factories import AccountFactory, UserFactory
from tests.factories.playbooks import TaskFactory

from .conftest import signed_headers

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"


def _post(path: str, data: dict, **headers):
    body = urlencode(data).encode()
    extra = headers.pop("signed", None)
    if extra is None:
        extra = signed_headers(body)
    return Client().post(path, body, content_type=FORM, **extra, **headers)


# Section: signatures


def test_signed_requests_only(slack):
    path = reverse("conversations:slack_command")
    data = {"command": "/pulse", "text": "acme", "user_id": "U0NOBODY"}
    body = urlencode(data).encode()
    # valid
    assert _post(path, data).status_code == 200
    # stale: signed correctly, six minutes ago (a replay)
    stale = signed_headers(body, timestamp=int(time.time()) - 360)
    assert _post(path, data, signed=stale).status_code == 401
    # forged: another secret, or the body changed after signing
    assert _post(path, data, signed=signed_headers(body, secret="not-the-secret")).status_code == 401
    assert _post(path, {**data, "text": "other"}, signed=signed_headers(body)).status_code == 401
    # missing headers, a timestamp that is not a number
    assert _post(path, data, signed={}).status_code == 401
    bad = {**signed_headers(body), "HTTP_X_SLACK_REQUEST_TIMESTAMP": "soon"}
    assert _post(path, data, signed=bad).status_code == 401
    assert _post(reverse("conversations:slack_interactivity"), {"payload": "{}"}, signed={}).status_code == 401


def test_not_set_up_is_503(db):
    response = _post(reverse("conversations:slack_command"), {"text": "x"})
    assert response.status_code == 503 and "detail" in response.json()


# Section: /pulse


def test_pulse_answers_the_linked_users_account_summary(slack, csm_user):
    # given
    account = AccountFactory(name="Acme Corp", owner=csm_user, health_score=38, health_band="red", mrr=4200)
    TaskFactory(account=account, assignee=csm_user)
    AccountFactory(name="Acme Hidden")  # someone else's: csm read scope may hide it, never an error
    SlackUserLink.objects.create(user=csm_user, slack_user_id="U0CSM")
    # when
    answer = _post(reverse("conversations:slack_command"), {"text": "acme corp", "user_id": "U0CSM"}).json()
    # then
    assert answer["response_type"] == "ephemeral"
    assert "Acme Corp" in answer["text"] and "38" in answer["text"] and "1 open tasks" in answer["text"]
    assert "4,200" in answer["text"]
    # unlinked user: told to link first; unknown account: said so
    assert (
        "Link your Slack account"
        in _post(reverse("conversations:slack_command"), {"text": "acme", "user_id": "U0X"}).json()["text"]
    )
    nothing = _post(reverse("conversations:slack_command"), {"text": "zzz", "user_id": "U0CSM"}).json()
    assert "No account" in nothing["text"]


def test_pulse_answers_in_the_users_language(slack, csm_user):
    csm_user.language = "ar"
    csm_user.save(update_fields=["language"])
    AccountFactory(name="Acme", owner=csm_user, health_score=80, health_band="green")
    SlackUserLink.objects.create(user=csm_user, slack_user_id="U0CSM")
    answer = _post(reverse("conversations:slack_command"), {"text": "Acme", "user_id": "U0CSM"}).json()
    assert "Health" not in answer["text"] and "Acme" in answer["text"]


# Section: buttons


def _press(action_id: str, task, slack_user: str, fake_slack):
    payload = {
        "type": "block_actions",
        "user": {"id": slack_user},
        "actions": [{"action_id": action_id, "value": str(task.pk)}],
        "response_url": f"{fake_slack.url}/response/1",
    }
    return _post(reverse("conversations:slack_interactivity"), {"payload": json.dumps(payload)})


def test_complete_button_completes_once_on_a_double_click(
    slack, fake_slack, csm_user, django_capture_on_commit_callbacks
):
    # given
    task = TaskFactory(account=AccountFactory(owner=csm_user), assignee=csm_user)
    SlackUserLink.objects.create(user=csm_user, slack_user_id="U0CSM")
    # when: pressed twice
    with django_capture_on_commit_callbacks(execute=True):
        assert _press("task_complete", task, "U0CSM", fake_slack).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert _press("task_complete", task, "U0CSM", fake_slack).status_code == 200
    # then: done once, one timeline entry, the message replaced each time
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_by == csm_user
    assert Activity.objects.filter(account=task.account, kind="task").count() == 1
    replies = fake_slack.calls("/response/1")
    assert len(replies) == 2 and replies[0].body["replace_original"] is True
    assert "done" in replies[0].body["text"] and "already done" in replies[1].body["text"]


def test_snooze_button_twice_snoozes_once(slack, fake_slack, csm_user, django_capture_on_commit_callbacks):
    task = TaskFactory(account=AccountFactory(owner=csm_user), assignee=csm_user)
    SlackUserLink.objects.create(user=csm_user, slack_user_id="U0CSM")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            _press("task_snooze", task, "U0CSM", fake_slack)
    task.refresh_from_db()
    assert task.status == TaskStatus.SNOOZED
    assert task.snoozed_until == timezone.now().date() + timedelta(days=7)


def test_buttons_respect_who_may_work_the_task(
    slack, fake_slack, csm_user, readonly_user, django_capture_on_commit_callbacks
):
    task = TaskFactory(account=AccountFactory(owner=csm_user), assignee=csm_user)
    SlackUserLink.objects.create(user=readonly_user, slack_user_id="U0RO")
    with django_capture_on_commit_callbacks(execute=True):
        _press("task_complete", task, "U0RO", fake_slack)
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN
    assert "may not" in fake_slack.calls("/response/1")[0].body["text"]
    # a payload that is not JSON is a 400, not a 500
    assert _post(reverse("conversations:slack_interactivity"), {"payload": "{"}).status_code == 400


# Section: alerts


def test_task_assigned_alert_goes_to_the_slack_dm_of_users_who_chose_it(
    slack, fake_slack, csm_user, manager_user, django_capture_on_commit_callbacks
):
    # given: the CSM (in Arabic) wants assigned tasks in Slack; the manager has not chosen it
    csm_user.language = "ar"
    csm_user.save(update_fields=["language"])
    SlackUserLink.objects.create(user=csm_user, slack_user_id="U0CSM")
    SlackUserLink.objects.create(user=manager_user, slack_user_id="U0MGR")
    slack_user_channels_set(user=csm_user, kinds=["task_assigned"])
    mine = TaskFactory(account=AccountFactory(owner=csm_user), assignee=csm_user)
    theirs = TaskFactory(account=AccountFactory(owner=manager_user), assignee=manager_user)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        tasks_assigned_announce(task_ids=[mine.pk, theirs.pk])
    # then: one DM, to the CSM, with Complete / Snooze / Open in Arabic
    posts = fake_slack.calls("/api/chat.postMessage")
    assert [p.body["channel"] for p in posts] == ["U0CSM"]
    buttons = [b for b in posts[0].body["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [b["action_id"] for b in buttons] == ["task_complete", "task_snooze", "open"]
    assert buttons[0]["value"] == str(mine.pk) and buttons[2]["url"].endswith(f"/tasks/{mine.pk}/")
    assert buttons[0]["text"]["text"] != "Complete"  # translated
    assert ChatDelivery.objects.get().status == "sent"
    # a repeat of the same news sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        tasks_assigned_announce(task_ids=[mine.pk])
    assert len(fake_slack.calls("/api/chat.postMessage")) == 1


def test_rate_limited_delivery_retries_after_retry_after(slack, fake_slack, django_capture_on_commit_callbacks):
    fake_slack.rate_limit_next = 1
    with django_capture_on_commit_callbacks(execute=True):
        chat_deliveries_queue(rows=[{"service": "slack", "target": "C0CS", "key": "k1", "payload": {"text": "hi"}}])
    delivery = ChatDelivery.objects.get(key="k1")
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len(fake_slack.calls("/api/chat.postMessage")) == 2


def test_link_by_email(slack, fake_slack, csm_user):
    fake_slack.users_by_email[csm_user.email] = "U0FOUND"
    assert slack_user_link(user=csm_user).slack_user_id == "U0FOUND"
    other = UserFactory(email="nobody@example.com")
    with pytest.raises(Exception, match="No Slack user"):
        slack_user_link(user=other)


def test_playbook_action_alerts_a_teams_channel(slack, fake_slack, csm_user, django_capture_on_commit_callbacks):
    # given
    from playbooks.actions import ACTIONS

    with override_settings(WEBHOOK_ALLOWED_INTERNAL_HOSTS=["127.0.0.1"]):
        hook = teams_webhook_create(name="CS alerts", url=f"{fake_slack.url}/teams/cs")
        account = AccountFactory(name="Globex", owner=csm_user)

        class Enrolment:
            pk = 1
            account_id = account.pk
            reason = "NPS 2 from jane@globex.com: too slow"

        class Playbook:
            pk = 9
            name = "Detractor follow-up"

        outcomes = {1: []}
        # when
        with django_capture_on_commit_callbacks(execute=True):
            ACTIONS["chat_alert"].execute(
                playbook=Playbook,
                step=None,
                action={"destination": f"teams:{hook.pk}"},
                enrolments=[Enrolment],
                accounts={account.pk: account},
                ctx=None,
                outcomes=outcomes,
            )
    # then: a MessageCard with the account and the reason, and an Open link
    card = fake_slack.calls("/teams/cs")[0].body
    assert card["@type"] == "MessageCard" and "Globex" in card["title"] and "too slow" in card["text"]
    assert card["potentialAction"][0]["targets"][0]["uri"].endswith(f"/accounts/{account.pk}/")
    assert outcomes[1] == ["Teams alert queued"]
    assert TeamsWebhook.objects.get().url_encrypted != f"{fake_slack.url}/teams/cs"  # encrypted at rest


# Section: the settings page


def test_settings_page_saves_encrypted_and_refuses_a_bad_token(client, admin_user, readonly_user):
    client.force_login(admin_user)
    page = client.get(reverse("conversations:slack"))
    assert page.status_code == 200 and b"Slack app" in page.content
    bad = client.post(reverse("conversations:slack_settings_save"), {"bot_token": "nope", "default_channel": "#cs"})
    assert bad.status_code == 400 and b"xoxb-" in bad.content
    client.get(reverse("conversations:slack"))
    ok = client.post(
        reverse("conversations:slack_settings_save"),
        {"bot_token": "xoxb-1-2", "signing_secret": "s3cret", "default_channel": "#cs"},
    )
    assert ok.status_code == 302
    workspace = SlackWorkspace.objects.get()
    assert workspace.bot_token == "xoxb-1-2" and "xoxb" not in workspace.bot_token_encrypted
    assert workspace.signing_secret == "s3cret" and workspace.default_channel == "#cs"
    # read-only users see their own part only, and cannot change the app
    client.force_login(readonly_user)
    mine = client.get(reverse("conversations:slack"))
    assert mine.status_code == 200 and b"Slack app" not in mine.content
    assert client.post(reverse("conversations:slack_settings_save"), {"bot_token": "xoxb-9"}).status_code == 403
