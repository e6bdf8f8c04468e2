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
