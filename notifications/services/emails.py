"""E-mail for the notifications a user chose to get by e-mail: sent by a Celery task after the
transaction that made them, in the recipient's language, each at most once (`emailed_at` is
claimed before the message goes)."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import timezone

from core.i18n import recipient_language
from core.languages import language_is_bidi

from ..models import Notification

__all__ = ["notifications_email_send"]


def notifications_email_send(*, notification_ids: Iterable[int]) -> int:
    """Send each notification not e-mailed yet; returns how many went. Safe to run twice: a row is
    claimed (emailed_at set where it was empty) before its message is built."""
    rows = list(
        Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    messages = []
    for notification in rows:
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        recipient = notification.recipient
        if not claimed or not recipient.email or not recipient.is_active:
            continue
        messages.append(_message(notification, recipient))
    if messages:
        with get_connection() as mail:
            mail.send_messages(messages)
    return len(messages)


def _message(notification: Notification, recipient) -> EmailMultiAlternatives:
    with recipient_language(recipient) as language:
        context = {
            "notification": notification,
            "link": f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url,
            "settings_link": f"{settings.SITE_URL}/notifications/settings/",
            "language": language,
            "dir": "rtl" if language_is_bidi(language) else "ltr",
        }
        message = EmailMultiAlternatives(
            subject=notification.title,
            body=render_to_string("notifications/email/notification.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[recipient.email],
        )
        message.attach_alternative(render_to_string("notifications/email/notification.html", context), "text/html")
    return message
