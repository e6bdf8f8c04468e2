"""Conversations: e-mail (inbound address, IMAP, provider webhooks, Gmail and Microsoft 365 sync,
compose), meetings (Google, Microsoft 365, CalDAV) and Slack / Teams, onto the timeline as touches.

One floor above notifications: it writes timeline entries through accounts' services, acts on
tasks through playbooks' services, and offers Slack and Teams as delivery channels for alerts.
Nothing below imports it.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        self._slack_ready()

    def _slack_ready(self) -> None:
        """Slack and Teams (conversations/slack/): notifications' Slack channel, the playbook
        action, the Celery tasks, the settings page in the sidebar."""
        from core.navigation import register_menu_item
        from notifications.channels import DeliveryChannel, register_delivery_channel
        from playbooks.actions import register_action

        from .slack import tasks  # noqa: F401  (the Celery tasks live in a subpackage)
        from .slack.alerts import chat_alert_action, slack_channel_available, slack_notifications_deliver

        register_delivery_channel(
            DeliveryChannel(
                key="slack", label=_("Slack"), deliver=slack_notifications_deliver, available=slack_channel_available
            )
        )
        register_action(chat_alert_action())
        register_menu_item("configure", _("Slack and Teams"), "conversations:slack", "message", order=115)
