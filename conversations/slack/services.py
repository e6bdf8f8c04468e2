"""Writes of the Slack and Teams settings: the app's credentials (admins), a user's link to their
Slack identity (found by e-mail), which notifications they get in Slack, and Teams webhooks."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.outbound_http import OutboundRefused, outbound_url_check
from notifications.channels import notification_channels_set

from ..models import SlackUserLink, SlackWorkspace, TeamsWebhook
from .client import SlackError, slack_lookup_by_email, slack_workspace, slack_workspace_forget

__all__ = [
    "slack_settings_save",
    "slack_user_link",
    "slack_user_unlink",
    "slack_user_channels_set",
    "teams_webhook_create",
    "teams_webhook_delete",
]


@transaction.atomic
def slack_settings_save(
    *, bot_token: str = "", signing_secret: str = "", default_channel: str = "", api_url: str = ""
) -> SlackWorkspace:
    """Save the app's settings; an empty token or secret keeps the stored one."""
    workspace = SlackWorkspace.objects.select_for_update().order_by("pk").first() or SlackWorkspace()
    if bot_token:
        if not bot_token.startswith(("xoxb-", "xoxp-")):
            raise ValidationError({"bot_token": _("A bot token starts with xoxb-.")})
        workspace.bot_token = bot_token.strip()
    if signing_secret:
        workspace.signing_secret = signing_secret.strip()
    workspace.default_channel = default_channel.strip()
    if api_url:
        workspace.api_url = api_url.strip()
    workspace.save()
    transaction.on_commit(slack_workspace_forget)
    return workspace


def slack_user_link(*, user) -> SlackUserLink:
    """Find the user's Slack account by their e-mail (users.lookupByEmail) and link it."""
    workspace = slack_workspace()
    if workspace is None or not workspace.bot_token:
        raise ValidationError({"slack": _("Slack is not set up yet; ask an admin.")})
    if not user.email:
        raise ValidationError({"slack": _("Your profile has no e-mail address to look up in Slack.")})
    try:
        slack_user_id = slack_lookup_by_email(workspace=workspace, email=user.email)
    except SlackError as exc:
        raise ValidationError({"slack": _("Slack did not answer: %(error)s") % {"error": exc.error}}) from exc
    if slack_user_id is None:
        raise ValidationError({"slack": _("No Slack user has the e-mail address %(email)s.") % {"email": user.email}})
    with transaction.atomic():
        SlackUserLink.objects.filter(slack_user_id=slack_user_id).exclude(user=user).delete()
        link, _created = SlackUserLink.objects.update_or_create(
            user=user, defaults={"slack_user_id": slack_user_id, "linked_at": timezone.now()}
        )
    return link


def slack_user_unlink(*, user) -> None:
    SlackUserLink.objects.filter(user=user).delete()


def slack_user_channels_set(*, user, kinds: Iterable[str]) -> None:
    """Which notification kinds `user` also gets as a Slack direct message."""
    notification_channels_set(user=user, channel="slack", kinds=kinds)


def teams_webhook_create(*, name: str, url: str) -> TeamsWebhook:
    errors = {}
    if not name.strip():
        errors["name"] = _("Name the channel.")
    try:
        outbound_url_check(url)
    except OutboundRefused as exc:
        errors["url"] = str(exc)
    if errors:
        raise ValidationError(errors)
    hook = TeamsWebhook(name=name.strip())
    hook.url = url.strip()
    hook.save()
    return hook


def teams_webhook_delete(*, webhook_id: int) -> None:
    TeamsWebhook.objects.filter(pk=webhook_id).delete()
