"""Delivery channels beyond the in-app feed and e-mail, owned here and filled from above: an app
that can carry a notification somewhere else (conversations: a Slack direct message) registers a
channel from its `AppConfig.ready()`:

    register_delivery_channel(DeliveryChannel(key="slack", label=_("Slack"), deliver=..., available=...))

`deliver(notification_ids)` is called after commit with the notifications just made whose
recipient chose that channel for that kind (`NotificationPreference.channels`); it must queue its
work (Celery), not send inline. `available()` says whether the channel is set up at all (the
settings page offers it only then). A user's choices are set with `notification_channels_set`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

__all__ = [
    "CHANNELS",
    "DeliveryChannel",
    "channel_kinds_for",
    "delivery_channels",
    "notification_channels_set",
    "notifications_route",
    "register_delivery_channel",
]


@dataclass(frozen=True)
class DeliveryChannel:
    key: str
    label: Any  # a lazy translation
    deliver: Callable[[list[int]], None]
    available: Callable[[], bool] = field(default=lambda: True)


CHANNELS: dict[str, DeliveryChannel] = {}


def register_delivery_channel(channel: DeliveryChannel) -> None:
    if channel.key == "email":
        raise ValueError("e-mail is built in")
    CHANNELS[channel.key] = channel


def delivery_channels(*, available_only: bool = True) -> list[DeliveryChannel]:
    return [c for c in CHANNELS.values() if not available_only or c.available()]


def channel_kinds_for(*, user_ids: Iterable[int], channel: str) -> dict[int, set[str]]:
    """{user id: the kinds they get through `channel`}. One query; no row: none."""
    from .models import NotificationPreference

    user_ids = set(user_ids)
    kinds: dict[int, set[str]] = {user_id: set() for user_id in user_ids}
    for user_id, kind, channels in NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "kind", "channels"
    ):
        if channel in (channels or []):
            kinds[user_id].add(kind)
    return kinds


@transaction.atomic
def notification_channels_set(*, user, channel: str, kinds: Iterable[str]) -> None:
    """The kinds `user` gets through `channel` (others: not through it). Raises ValidationError."""
    from .choices import NotificationKind
    from .models import NotificationPreference

    kinds = set(kinds)
    if channel not in CHANNELS:
        raise ValidationError({"channel": _("Unknown channel.")})
    unknown = kinds - set(NotificationKind.values)
    if unknown:
        raise ValidationError({"kinds": _("Unknown kind: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))}})
    existing = {p.kind: p for p in NotificationPreference.objects.select_for_update().filter(user=user)}
    for kind in NotificationKind.values:
        preference = existing.get(kind)
        wanted = kind in kinds
        if preference is None:
            if wanted:
                from django.conf import settings

                NotificationPreference.objects.create(
                    user=user, kind=kind, email=kind in settings.NOTIFICATIONS_EMAIL_DEFAULT, channels=[channel]
                )
            continue
        channels = [c for c in (preference.channels or []) if c != channel] + ([channel] if wanted else [])
        if channels != (preference.channels or []):
            preference.channels = channels
            preference.save(update_fields=["channels"])


def notifications_route(notification_ids: list[int]) -> None:
    """Hand the notifications just made to each registered channel their recipients chose for
    their kind (called by notifications_create; the channels queue their own work)."""
    if not notification_ids or not CHANNELS:
        return
    from .models import Notification

    rows = list(Notification.objects.filter(pk__in=notification_ids).values_list("pk", "recipient_id", "kind"))
    for channel in delivery_channels():
        chosen = channel_kinds_for(user_ids={r[1] for r in rows}, channel=channel.key)
        ids = [pk for pk, user_id, kind in rows if kind in chosen[user_id]]
        if ids:
            transaction.on_commit(lambda c=channel, i=ids: c.deliver(i))
