"""Buttons in Slack messages (https://api.slack.com/interactivity/handling, "block_actions"):
Complete and Snooze call playbooks' task services as the linked Pulse user who pressed them, then
replace the message through its response_url with what happened; Open is a link button (Slack
still tells us; nothing to do). A second press of the same button changes nothing: completing a
done task is a no-op in `task_complete`, and a task already snoozed at least as long is left as is."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.languages import supported_language
from playbooks.choices import TaskStatus
from playbooks.models import Task
from playbooks.services import task_complete, task_snooze

from ..models import SlackUserLink
from .blocks import text_blocks

__all__ = ["SNOOZE_DAYS", "slack_block_action"]

SNOOZE_DAYS = 7


def slack_block_action(*, payload: dict) -> str:
    """Act on the first action of a block_actions payload. Returns what the message now says."""
    actions = payload.get("actions") or []
    if payload.get("type") != "block_actions" or not actions:
        return ""
    action = actions[0]
    action_id = action.get("action_id", "")
    if action_id not in ("task_complete", "task_snooze"):
        return ""
    link = (
        SlackUserLink.objects.select_related("user")
        .filter(slack_user_id=(payload.get("user") or {}).get("id", ""), user__is_active=True)
        .first()
    )
    if link is None:
        return _reply(payload, _("Link your Slack account in Pulse first (Settings, Slack)."))
    user = link.user
    with translation.override(supported_language(user.language)):
        try:
            task = Task.objects.select_related("account").get(pk=int(action.get("value", "")))
        except (Task.DoesNotExist, ValueError):
            return _reply(payload, _("This task no longer exists."))
        try:
            with transaction.atomic():
                message = _complete(task, user) if action_id == "task_complete" else _snooze(task, user)
        except PermissionDenied:
            message = _("You may not work on this task.")
        except ValidationError as exc:
            message = " ".join(str(m) for m in exc.messages)
        return _reply(payload, message)


def _complete(task: Task, user) -> str:
    was_done = task.status == TaskStatus.DONE
    task = task_complete(task=task, user=user, outcome_note=_("Completed from Slack"))
    if was_done:
        return _("“%(title)s” was already done.") % {"title": task.title}
    return _("✓ “%(title)s” done (%(account)s).") % {"title": task.title, "account": task.account.name}


def _snooze(task: Task, user) -> str:
    until = timezone.now().date() + timedelta(days=SNOOZE_DAYS)
    if task.status == TaskStatus.SNOOZED and task.snoozed_until and task.snoozed_until >= until - timedelta(days=1):
        return _("“%(title)s” is snoozed until %(day)s.") % {"title": task.title, "day": task.snoozed_until.isoformat()}
    task = task_snooze(task=task, user=user, until=until)
    return _("“%(title)s” is snoozed until %(day)s.") % {"title": task.title, "day": until.isoformat()}


def _reply(payload: dict, message: str) -> str:
    response_url = payload.get("response_url")
    if response_url and message:
        from .tasks import slack_respond_task

        answer = {"replace_original": True, "text": message, "blocks": text_blocks(message)}
        transaction.on_commit(lambda: slack_respond_task.delay(response_url, answer))
    return message
