"""Block Kit messages (https://api.slack.com/block-kit), written in the recipient's language by
the caller (inside `translation.override`). Buttons carry a task's id: `task_complete`,
`task_snooze` (conversations.slack.interactivity) and a link button that opens the task."""

from __future__ import annotations

from urllib.parse import urljoin

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = ["absolute", "alert_blocks", "task_buttons", "text_blocks"]


def absolute(path: str) -> str:
    return urljoin(getattr(settings, "SITE_URL", "http://localhost:8000").rstrip("/") + "/", path.lstrip("/"))


def _plain(text: str) -> dict:
    return {"type": "plain_text", "text": text[:75], "emoji": False}


def _escape(text: str) -> str:
    """Slack mrkdwn treats &, < and > as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def task_buttons(*, task_id: int, url: str) -> dict:
    return {
        "type": "actions",
        "block_id": f"task:{task_id}",
        "elements": [
            {
                "type": "button",
                "action_id": "task_complete",
                "value": str(task_id),
                "style": "primary",
                "text": _plain(_("Complete")),
            },
            {"type": "button", "action_id": "task_snooze", "value": str(task_id), "text": _plain(_("Snooze a week"))},
            {"type": "button", "action_id": "open", "url": absolute(url), "text": _plain(_("Open"))},
        ],
    }


def alert_blocks(*, title: str, body: str = "", url: str = "", task_id: int | None = None) -> list[dict]:
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": f"*{_escape(title)}*"}}]
    if body:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _escape(body)[:2900]}]})
    if task_id is not None:
        blocks.append(task_buttons(task_id=task_id, url=url))
    elif url:
        blocks.append(
            {
                "type": "actions",
                "elements": [{"type": "button", "action_id": "open", "url": absolute(url), "text": _plain(_("Open"))}],
            }
        )
    return blocks


def text_blocks(text: str) -> list[dict]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": _escape(text)}}]
