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
        self._ready_email()
        self._ready_meetings()
        self._slack_ready()

    def _ready_meetings(self) -> None:
        """Connected mailboxes and calendars, meetings and their prep cards."""
        from accounts.panels import AccountPanel, register_panel
        from core.home_cards import HomeCard, register_home_card
        from core.navigation import register_menu_item, register_profile_link

        from .panels_meetings import home_meetings_context, meetings_panel_context

        register_panel(
            AccountPanel(
                key="upcoming_meetings",
                title=_("Upcoming meetings"),
                template_name="conversations/partials/meetings_panel.html",
                get_context=meetings_panel_context,
                column="main",
                order=5,
            )
        )
        register_home_card(
            HomeCard(
                key="upcoming_meetings",
                template_name="conversations/partials/home_meetings.html",
                get_context=home_meetings_context,
                order=10,
            )
        )
        register_menu_item("configure", _("Connected accounts"), "conversations:connected", "calendar", order=125)
        register_profile_link(
            _("Connected accounts"),
            _("Your mailbox and calendar: customer e-mails and meetings onto the timeline, prep cards."),
            "conversations:connected",
            "calendar",
        )

    def _ready_email(self) -> None:
        """Inbound e-mail and compose (h7): the review queue and the settings page in the sidebar,
        the settings audited."""
        from accounts.panels import AccountPanel, ContactPanel, register_contact_panel, register_panel
        from core.audit import register_audited_model
        from core.choices import Role
        from core.navigation import register_menu_item

        register_menu_item("work", _("E-mail review"), "conversations:review", "mail", order=38)
        register_menu_item(
            "configure", _("Inbound e-mail"), "conversations:email_settings", "mail", role=Role.ADMIN, order=45
        )
        from .panels import account_email_panel_context, contact_email_panel_context

        register_panel(
            AccountPanel(
                key="email",
                title=_("E-mail"),
                template_name="conversations/partials/email_panel.html",
                get_context=account_email_panel_context,
                column="side",
                order=25,
            )
        )
        register_contact_panel(
            ContactPanel(
                key="email",
                title=_("E-mail"),
                template_name="conversations/partials/email_panel.html",
                get_context=contact_email_panel_context,
                column="side",
                order=25,
            )
        )
        register_audited_model("conversations.InboundSettings", redact={"token", "address_tag"})
        register_audited_model("conversations.ImapMailbox", redact={"password"})

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
