"""Writes of the feed: make notifications (exactly once per recipient and key), mark them read,
and each user's choices (e-mail per kind, language, time zone)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import chunked
from core.models import User

from ..choices import DIGEST_PREFERENCE, NotificationKind
from ..models import Notification, NotificationPreference

__all__ = [
    "NotificationDraft",
    "email_kinds_for",
    "notification_mark_read",
    "notification_preferences_set",
    "notifications_create",
    "notifications_mark_all_read",
]


@dataclass(frozen=True)
class NotificationDraft:
    """One notification to make; `title` and `body` already in the recipient's language."""

    recipient_id: int
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""
    account_id: int | None = None
    actor_id: int | None = None


def notifications_create(*, drafts: Iterable[NotificationDraft]) -> list[int]:
    """Insert the drafts a recipient has not had yet (unique recipient + key: a repeat inserts
    nothing), and queue the e-mail of those whose recipient wants that kind by e-mail, after
    commit. Returns the ids of the notifications made now. A constant number of queries per
    1,000 drafts."""
    drafts = list({(d.recipient_id, d.key): d for d in drafts}.values())
    if not drafts:
        return []
    now = timezone.now()
    made: list[int] = []
    for chunk in chunked(drafts, size=400):  # the re-read below binds two lists: under SQLite's 999
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=d.recipient_id,
                    kind=d.kind,
                    key=d.key,
                    title=d.title[:255],
                    body=d.body,
                    url=d.url[:500],
                    account_id=d.account_id,
                    actor_id=d.actor_id,
                    created_at=now,
                )
                for d in chunk
            ],
            ignore_conflicts=True,
        )
        # ignore_conflicts returns no ids: the rows made now are those stamped with `now`
        made += list(
            Notification.objects.filter(
                recipient_id__in={d.recipient_id for d in chunk}, key__in={d.key for d in chunk}, created_at=now
            ).values_list("pk", flat=True)
        )
    to_email = _wanting_email(made)
    if to_email:
        from ..tasks import notifications_email_task

        transaction.on_commit(lambda: notifications_email_task.delay(to_email))
    from ..channels import notifications_route

    notifications_route(made)
    return made


def _wanting_email(notification_ids: list[int]) -> list[int]:
    """The notifications whose recipient (active, with an e-mail address) wants their kind by e-mail."""
    if not notification_ids:
        return []
    rows = list(
        Notification.objects.filter(pk__in=notification_ids, recipient__is_active=True)
        .exclude(recipient__email="")
        .values_list("pk", "recipient_id", "kind")
    )
    choices = email_kinds_for(user_ids={r[1] for r in rows})
    return [pk for pk, user_id, kind in rows if kind in choices[user_id]]


def email_kinds_for(*, user_ids: Iterable[int]) -> dict[int, set[str]]:
    """{user id: the kinds they get by e-mail}: their choices over the defaults. One query."""
    user_ids = set(user_ids)
    default = {*settings.NOTIFICATIONS_EMAIL_DEFAULT, DIGEST_PREFERENCE}
    kinds = {user_id: set(default) for user_id in user_ids}
    for user_id, kind, email in NotificationPreference.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "kind", "email"
    ):
        (kinds[user_id].add if email else kinds[user_id].discard)(kind)
    return kinds


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (again: no change). Raises Notification.DoesNotExist
    for another user's notification."""
    notification = Notification.objects.get(pk=notification_id, recipient=user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User, kind: str | None = None) -> int:
    """Mark every unread notification of the user read (of one kind, if given): one UPDATE."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(
    *,
    user: User,
    email_kinds: Iterable[str],
    digest: bool = True,
    language: str | None = None,
    timezone_name: str | None = None,
) -> None:
    """Which kinds the user gets by e-mail (one row per kind), whether they get the daily digest,
    and their language and time zone. Raises ValidationError naming the field."""
    email_kinds = set(email_kinds)
    errors: dict[str, str] = {}
    unknown = email_kinds - set(NotificationKind.values)
    if unknown:
        errors["email_kinds"] = _("Unknown kind: %(kinds)s") % {"kinds": ", ".join(sorted(unknown))}
    if language is not None and language and language not in {code for code, _name in settings.LANGUAGES}:
        errors["language"] = _("Choose one of the site's languages.")
    if timezone_name is not None:
        try:
            zoneinfo.ZoneInfo(timezone_name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors["timezone"] = _("Not a time zone name (e.g. Europe/Paris).")
    if errors:
        raise ValidationError(errors)
    for kind in NotificationKind.values:  # (the row's other channels, notifications.channels, stay)
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"email": kind in email_kinds})
    NotificationPreference.objects.update_or_create(user=user, kind=DIGEST_PREFERENCE, defaults={"email": digest})
    fields = []
    if language is not None:
        user.language = language
        fields.append("language")
    if timezone_name is not None:
        user.timezone = timezone_name
        fields.append("timezone")
    if fields:
        user.save(update_fields=fields)
