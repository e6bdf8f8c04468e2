"""The notifications app's models, one module per idea, re-exported here."""

from .digest import DigestLog
from .feed import Notification, NotificationPreference

__all__ = ["DigestLog", "Notification", "NotificationPreference"]
