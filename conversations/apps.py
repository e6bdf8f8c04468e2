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
        self._ready_meetings()

    def _ready_meetings(self) -> None:
        """Connected mailboxes and calendars, meetings and their prep cards."""
        from accounts.panels import AccountPanel, register_panel
        from core.home_cards import HomeCard, register_home_card
        from core.navigation import register_menu_item

        from .panels import home_meetings_context, meetings_panel_context

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
