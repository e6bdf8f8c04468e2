"""Slack's Web API through slack_sdk (pinned in requirements.txt): chat.postMessage,
users.lookupByEmail, and replies to a command's or a button's response_url. Every call reads the
workspace's settings (conversations.models.SlackWorkspace), so tests point `api_url` at a local
fake. Rate limits surface as `RateLimited(retry_after)` for the caller (a Celery task) to wait."""

from __future__ import annotations

from django.core.cache import cache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from ..models import SlackWorkspace

__all__ = [
    "RateLimited",
    "SlackError",
    "slack_lookup_by_email",
    "slack_post_message",
    "slack_respond",
    "slack_workspace",
    "slack_workspace_forget",
]

CACHE_KEY = "conversations:slack:workspace"
TIMEOUT_SECONDS = 10


class SlackError(Exception):
    """Slack refused the call (`error` is Slack's code, e.g. channel_not_found, users_not_found)."""

    def __init__(self, error: str):
        super().__init__(error)
        self.error = error


class RateLimited(SlackError):
    def __init__(self, retry_after: int):
        super().__init__("ratelimited")
        self.retry_after = retry_after


def slack_workspace() -> SlackWorkspace | None:
    """The settings row (cached a minute; saving it through the services forgets the cache)."""
    workspace = cache.get(CACHE_KEY)
    if workspace is None:
        workspace = SlackWorkspace.objects.order_by("pk").first() or False
        cache.set(CACHE_KEY, workspace, 60)
    return workspace or None


def slack_workspace_forget() -> None:
    cache.delete(CACHE_KEY)


def _client(workspace: SlackWorkspace) -> WebClient:
    return WebClient(token=workspace.bot_token, base_url=workspace.api_url, timeout=TIMEOUT_SECONDS)


def _raise(exc: SlackApiError):
    response = exc.response
    if response.status_code == 429:
        raise RateLimited(int(response.headers.get("Retry-After", response.headers.get("retry-after", 30)) or 30))
    error = (response.data or {}).get("error", "") if isinstance(response.data, dict) else ""
    raise SlackError(error or f"HTTP {response.status_code}")


def slack_post_message(*, workspace: SlackWorkspace, channel: str, text: str, blocks: list | None = None) -> str:
    """Post to a channel id or name, or a user id (their DM with the app). Returns the message ts."""
    try:
        response = _client(workspace).chat_postMessage(channel=channel, text=text, blocks=blocks)
    except SlackApiError as exc:
        _raise(exc)
    return str(response.get("ts", ""))


def slack_lookup_by_email(*, workspace: SlackWorkspace, email: str) -> str | None:
    """The Slack user id with this e-mail address, or None (users_not_found)."""
    try:
        response = _client(workspace).users_lookupByEmail(email=email)
    except SlackApiError as exc:
        if (exc.response.data or {}).get("error") == "users_not_found":
            return None
        _raise(exc)
    return str(response["user"]["id"])


def slack_respond(*, response_url: str, payload: dict) -> None:
    """Answer through a command's or an interaction's response_url (replace the message, or an
    ephemeral reply)."""
    response = WebhookClient(response_url, timeout=TIMEOUT_SECONDS).send_dict(payload)
    if response.status_code == 429:
        raise RateLimited(int(response.headers.get("Retry-After", 30) or 30))
    if response.status_code >= 400:
        raise SlackError(f"HTTP {response.status_code}")
