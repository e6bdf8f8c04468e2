"""Notifications: the in-app feed (a task assigned, an @mention in a note, a key account turned
red, a renewal within 30 days), each user's e-mail choices and the daily digest per CSM.

One floor above renewals: it listens to the signals of every lower app (news goes up) and owns
nothing they import.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        pass
