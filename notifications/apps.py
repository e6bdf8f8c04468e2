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
        from core.navigation import register_menu_item, register_topbar_item

        from . import receivers  # noqa: F401  (playbooks' task_assigned, accounts' note_created, health's band_changed)

        register_menu_item("work", _("Notifications"), "notifications:feed", "bell", order=35)
        register_topbar_item("notifications", "notifications/partials/bell.html", order=10)
