"""Microsoft Teams: alerts to a channel through its incoming webhook, as a MessageCard
(https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using
: "Send a message through Incoming Webhook": POST the card as JSON; Teams answers 200 with body
"1", 429 when throttled). The webhook URL is an admin's secret (stored encrypted) and is reached
through core.outbound_http, which refuses private addresses (tests allow their local receiver)."""

from __future__ import annotations

import http.client
import json

from django.utils.translation import gettext as _

from core.outbound_http import OutboundRefused, outbound_post

from .models import TeamsWebhook
from .slack.blocks import absolute
from .slack.client import RateLimited, SlackError

__all__ = ["TeamsError", "teams_card", "teams_post"]

TEAMS_RETRY_AFTER = 30


class TeamsError(SlackError):
    pass


def teams_card(*, title: str, body: str = "", url: str = "") -> dict:
    card = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": title[:200],
        "themeColor": "4F46E5",
        "title": title,
        "text": body,
    }
    if url:
        card["potentialAction"] = [
            {"@type": "OpenUri", "name": _("Open"), "targets": [{"os": "default", "uri": absolute(url)}]}
        ]
    return card


def teams_post(*, webhook_id: int, payload: dict) -> None:
    hook = TeamsWebhook.objects.filter(pk=webhook_id, active=True).first()
    if hook is None:
        raise TeamsError("webhook removed or inactive")
    try:
        response = outbound_post(
            hook.url, body=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, timeout=10
        )
    except (OutboundRefused, http.client.HTTPException) as exc:
        raise TeamsError(str(exc)) from exc
    if response.status == 429:
        raise RateLimited(TEAMS_RETRY_AFTER)  # outbound_post reads no headers: Teams' throttling lasts seconds
    if response.status >= 300:
        raise TeamsError(f"HTTP {response.status}")
