"""Reads of the feed: a user's notifications (filtered), the unread count, their e-mail choices."""

from __future__ import annotations

from django.db.models import QuerySet

from core.models import User

from .choices import DIGEST_PREFERENCE, NotificationKind
from .models import Notification
from .services.feed import email_kinds_for

__all__ = ["DROPDOWN_SIZE", "notification_feed", "notification_preferences", "notifications_latest", "unread_count"]

DROPDOWN_SIZE = 8


def notification_feed(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first (the feed page filters and pages them)."""
    return Notification.objects.filter(recipient=user).select_related("account", "actor").order_by("-created_at", "-id")


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_latest(*, user: User, limit: int = DROPDOWN_SIZE) -> list[Notification]:
    """The newest notifications for the header's dropdown (read ones too, shown dimmed): one query."""
    return list(Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[:limit])


def notification_preferences(*, user: User) -> dict[str, bool]:
    """{kind: e-mailed?} for every kind (their choice, else the default), and "digest"."""
    chosen = email_kinds_for(user_ids=[user.pk])[user.pk]
    return {kind: kind in chosen for kind in [*NotificationKind.values, DIGEST_PREFERENCE]}
