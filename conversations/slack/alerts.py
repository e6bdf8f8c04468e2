"""Alerts to Slack and Teams:

- per user: notifications' "Slack" delivery channel (registered in ConversationsConfig.ready):
  a notification the user chose to get in Slack (a key account turned red, a renewal within 30
  days, a task assigned, a mention) goes to their direct messages, in their language, with
  Complete / Snooze / Open buttons when it is about a task;
- in playbooks: the action "Alert in Slack or Teams" (key `chat_alert`): the account owner's
  Slack DM, the workspace's default Slack channel, or one Teams channel's webhook. With the
  detractor trigger this is the "a detractor answered" alert.
Every message is a ChatDelivery row sent by Celery (conversations.slack.delivery)."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.languages import supported_language
from notifications.models import Notification
from playbooks.actions import ActionParam, RegisteredAction

from ..models import SlackUserLink, TeamsWebhook
from .blocks import alert_blocks
from .client import slack_workspace
from .delivery import chat_deliveries_queue

__all__ = ["chat_alert_action", "slack_channel_available", "slack_notifications_deliver"]


def slack_channel_available() -> bool:
    workspace = slack_workspace()
    return workspace is not None and workspace.configured


def _task_id(notification: Notification) -> int | None:
    if notification.kind == "task_assigned" and notification.key.startswith("task:"):
        try:
            return int(notification.key.split(":")[1])
        except ValueError:
            return None
    return None


def slack_notifications_deliver(notification_ids: list[int]) -> list[int]:
    """DM each notification to its recipient's linked Slack user (unlinked users: nothing)."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids).select_related("recipient").order_by("pk")
    )
    links = dict(
        SlackUserLink.objects.filter(user_id__in={n.recipient_id for n in notifications}).values_list(
            "user_id", "slack_user_id"
        )
    )
    rows = []
    for notification in notifications:
        target = links.get(notification.recipient_id)
        if not target:
            continue
        with translation.override(supported_language(notification.recipient.language)):
            blocks = alert_blocks(
                title=notification.title, body=notification.body, url=notification.url, task_id=_task_id(notification)
            )
        rows.append(
            {
                "service": "slack",
                "target": target,
                "key": f"slack:notification:{notification.pk}",
                "payload": {"text": notification.title, "blocks": blocks},
            }
        )
    return chat_deliveries_queue(rows=rows)


# Section: the playbook action


def _destinations() -> list[tuple[str, str]]:
    choices = [
        ("slack_owner", str(_("Slack: the account owner's direct messages"))),
        ("slack_channel", str(_("Slack: the default channel"))),
    ]
    choices += [
        (f"teams:{hook.pk}", _("Teams: %(name)s") % {"name": hook.name})
        for hook in TeamsWebhook.objects.filter(active=True)
    ]
    return choices


def _execute(*, playbook, step, action, enrolments, accounts, ctx, outcomes) -> None:
    destination = action.get("destination", "slack_owner")
    workspace = slack_workspace()
    owner_ids = {accounts[e.account_id].owner_id for e in enrolments if accounts[e.account_id].owner_id}
    links = dict(SlackUserLink.objects.filter(user_id__in=owner_ids).values_list("user_id", "slack_user_id"))
    languages = {}
    if owner_ids:
        from core.models import User

        languages = dict(User.objects.filter(pk__in=owner_ids).values_list("pk", "language"))
    rows = []
    for enrolment in enrolments:
        account = accounts[enrolment.account_id]
        key = f"playbook:{playbook.pk}:{step.pk if step is not None else 0}:{enrolment.pk}"
        language = languages.get(account.owner_id) if destination == "slack_owner" else None
        with translation.override(supported_language(language)):
            title = _("%(playbook)s: %(account)s") % {"playbook": playbook.name, "account": account.name}
            body = enrolment.reason or ""
            url = f"/accounts/{account.pk}/"
            if destination.startswith("teams:"):
                from ..teams import teams_card

                rows.append(
                    {
                        "service": "teams",
                        "target": destination.split(":", 1)[1],
                        "key": f"teams:{key}",
                        "payload": teams_card(title=title, body=body, url=url),
                    }
                )
                outcomes[enrolment.pk].append("Teams alert queued")
                continue
            if destination == "slack_channel":
                target = workspace.default_channel if workspace else ""
            else:
                target = links.get(account.owner_id, "")
            if not target or workspace is None:
                outcomes[enrolment.pk].append("Slack alert skipped: no Slack channel or linked owner")
                continue
            rows.append(
                {
                    "service": "slack",
                    "target": target,
                    "key": f"slack:{key}",
                    "payload": {"text": title, "blocks": alert_blocks(title=title, body=body, url=url)},
                }
            )
            outcomes[enrolment.pk].append(f"Slack alert queued to {target}")
    chat_deliveries_queue(rows=rows)


def _describe(action: dict) -> str:
    labels = dict(_destinations())
    return _("Alert: %(where)s") % {"where": labels.get(action.get("destination", ""), action.get("destination", ""))}


def chat_alert_action() -> RegisteredAction:
    return RegisteredAction(
        key="chat_alert",
        label=gettext_lazy("Alert in Slack or Teams"),
        execute=_execute,
        describe=_describe,
        params=(ActionParam(name="destination", label=gettext_lazy("Where"), choices=_destinations),),
    )
