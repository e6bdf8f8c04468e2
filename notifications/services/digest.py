"""The daily digest e-mail per CSM, at the user's local morning, in their language.

A beat task runs `digests_send()` every 15 minutes. It picks the users whose local clock has
passed DIGEST_LOCAL_HOUR and who have no digest for their local date, claims one `DigestLog` row
per user and date (the unique pair: two sweeps never mail a user twice), gathers every claimed
user's content with one query per section (grouped by user in Python, never a query per user),
and sends the messages over one mail connection. Sections: tasks due today or overdue, health
drops (band down, or score down 10 or more, against yesterday's snapshot), renewals within
NOTIFICATIONS_RENEWAL_DAYS, new NPS detractors on their accounts since the last digest, and their
notifications since the last digest. A user with nothing in any section is logged, not mailed.
"""

from __future__ import annotations

import uuid
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import HealthBand
from accounts.models import Account
from core.choices import Role
from core.db import chunked
from core.i18n import recipient_language
from core.languages import language_is_bidi
from core.models import User
from health.models import HealthScore
from playbooks.choices import TaskStatus
from playbooks.models import Task
from surveys.models import SurveyResponse

from ..choices import DIGEST_PREFERENCE
from ..models import DigestLog, Notification, NotificationPreference
from .kinds import url_maker

__all__ = ["DigestRun", "digest_contents", "digests_send", "local_now", "users_due_digest"]

SECTION_LIMIT = 15  # rows listed per section; the count says how many in all
WORKER_ROLES = [Role.CSM, Role.MANAGER, Role.ADMIN]


@dataclass
class DigestRun:
    claimed: int = 0
    sent: int = 0
    empty: int = 0
    queries: int = 0


@dataclass
class Section:
    rows: list = field(default_factory=list)
    total: int = 0

    def add(self, row) -> None:
        self.total += 1
        if len(self.rows) < SECTION_LIMIT:
            self.rows.append(row)


@dataclass
class Digest:
    user: User
    local_date: date
    since: datetime
    tasks: Section = field(default_factory=Section)
    health: Section = field(default_factory=Section)
    renewals: Section = field(default_factory=Section)
    detractors: Section = field(default_factory=Section)
    notifications: Section = field(default_factory=Section)

    @property
    def items(self) -> int:
        return sum(s.total for s in (self.tasks, self.health, self.renewals, self.detractors, self.notifications))


def local_now(user_timezone: str, now: datetime) -> datetime:
    try:
        zone = zoneinfo.ZoneInfo(user_timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone)


def users_due_digest(*, now: datetime | None = None) -> list[tuple[User, date]]:
    """(user, local date) for each active CSM, manager or admin with an e-mail address who has not
    turned the digest off, whose local time has passed DIGEST_LOCAL_HOUR and who has no digest for
    that local date. Two queries."""
    now = now or timezone.now()
    candidates = []
    opted_out = NotificationPreference.objects.filter(kind=DIGEST_PREFERENCE, email=False).values("user_id")
    for user in User.objects.filter(is_active=True, role__in=WORKER_ROLES).exclude(email="").exclude(pk__in=opted_out):
        local = local_now(user.timezone, now)
        if local.hour >= settings.DIGEST_LOCAL_HOUR:
            candidates.append((user, local.date()))
    if not candidates:
        return []
    done = set(
        DigestLog.objects.filter(
            user_id__in=[u.pk for u, _ in candidates], local_date__in={d for _, d in candidates}
        ).values_list("user_id", "local_date")
    )
    return [(user, day) for user, day in candidates if (user.pk, day) not in done]


def _claim(due: list[tuple[User, date]], now: datetime) -> dict[int, DigestLog]:
    """Insert one log row per (user, local date); only the rows this run inserted are its own."""
    claim = uuid.uuid4().hex
    previous = dict(
        DigestLog.objects.filter(user_id__in=[u.pk for u, _ in due])
        .values("user_id")
        .annotate(last=Max("claimed_at"))
        .values_list("user_id", "last")
    )
    DigestLog.objects.bulk_create(
        [
            DigestLog(
                user=user,
                local_date=day,
                since=previous.get(user.pk) or now - timedelta(days=1),
                claimed_at=now,
                claim=claim,
            )
            for user, day in due
        ],
        ignore_conflicts=True,
    )
    return {log.user_id: log for log in DigestLog.objects.filter(claim=claim)}


def digest_contents(*, logs: dict[int, DigestLog], users: dict[int, User], now: datetime) -> dict[int, Digest]:
    """Every claimed user's digest: one query per section for all of them."""
    digests = {
        user_id: Digest(user=users[user_id], local_date=log.local_date, since=log.since)
        for user_id, log in logs.items()
    }
    if not digests:
        return digests
    ids = list(digests)
    task_url, account_url, contact_url = (
        url_maker("playbooks:task_detail"),
        url_maker("accounts:detail"),
        url_maker("accounts:contact_detail"),
    )
    utc_today = now.date()
    latest_day = max(d.local_date for d in digests.values())
    earliest_since = min(d.since for d in digests.values())

    # tasks due on the user's local date or before, open or snoozed until then
    tasks = (
        Task.objects.filter(assignee_id__in=ids, due_date__lte=latest_day)
        .filter(Q(status=TaskStatus.OPEN) | Q(status=TaskStatus.SNOOZED, snoozed_until__lte=latest_day))
        .order_by("due_date", "-priority", "id")
        .values_list("assignee_id", "pk", "title", "due_date", "account__name", "snoozed_until")
    )
    for assignee_id, pk, title, due, account_name, snoozed_until in tasks.iterator(chunk_size=5000):
        digest = digests[assignee_id]
        if due > digest.local_date or (snoozed_until is not None and snoozed_until > digest.local_date):
            continue
        digest.tasks.add(
            {
                "id": pk,
                "title": title,
                "due": due,
                "overdue": due < digest.local_date,
                "account": account_name,
                "url": task_url(pk),
            }
        )

    # health drops against yesterday's snapshot: band down, or the score down 10 or more
    down = (
        Q(band=HealthBand.GREEN, account__health_band__in=[HealthBand.YELLOW, HealthBand.RED])
        | Q(band=HealthBand.YELLOW, account__health_band=HealthBand.RED)
        | Q(account__health_score__lte=F("score") - 10)
    )
    drops = (
        HealthScore.objects.filter(day=utc_today - timedelta(days=1), account__owner_id__in=ids)
        .filter(down)
        .order_by("account__health_score", "account_id")
        .values_list(
            "account__owner_id",
            "account_id",
            "account__name",
            "score",
            "band",
            "account__health_score",
            "account__health_band",
        )
    )
    for owner_id, account_id, name, old_score, old_band, new_score, new_band in drops.iterator(chunk_size=5000):
        digests[owner_id].health.add(
            {
                "account": name,
                "old_score": old_score,
                "new_score": new_score,
                "old_band": old_band,
                "new_band": new_band,
                "url": account_url(account_id),
            }
        )

    # renewals within the window, from each user's local date
    horizon = latest_day + timedelta(days=settings.NOTIFICATIONS_RENEWAL_DAYS)
    renewals = (
        Account.objects.filter(
            owner_id__in=ids, renewal_date__gte=utc_today - timedelta(days=1), renewal_date__lte=horizon
        )
        .order_by("renewal_date", "id")
        .values_list("owner_id", "pk", "name", "renewal_date", "mrr", "currency")
    )
    for owner_id, account_id, name, renewal_date, mrr, currency in renewals.iterator(chunk_size=5000):
        digest = digests[owner_id]
        if renewal_date is None:  # filtered out above; for the type checker
            continue
        days = (renewal_date - digest.local_date).days
        if not 0 <= days <= settings.NOTIFICATIONS_RENEWAL_DAYS:
            continue
        digest.renewals.add(
            {
                "account": name,
                "date": renewal_date,
                "days": days,
                "arr": mrr * 12,
                "currency": currency,
                "url": account_url(account_id),
            }
        )

    # new NPS detractors on their accounts since their last digest
    detractors = (
        SurveyResponse.objects.customer_answers()
        .filter(kind="nps", score__lte=6, submitted_at__gte=earliest_since, submitted_at__lt=now)
        .filter(account__owner_id__in=ids)
        .order_by("-submitted_at", "-id")
        .values_list(
            "account__owner_id",
            "account_id",
            "account__name",
            "contact_id",
            "contact__name",
            "contact__email",
            "score",
            "comment",
            "submitted_at",
        )
    )
    for owner_id, account_id, name, contact_id, contact_name, email, score, comment, at in detractors.iterator(
        chunk_size=5000
    ):
        digest = digests[owner_id]
        if at < digest.since:
            continue
        url = contact_url(contact_id) if contact_id else account_url(account_id)
        digest.detractors.add(
            {"account": name, "who": contact_name or email or "", "score": score, "comment": comment[:280], "url": url}
        )

    # their notifications since the last digest
    notes = (
        Notification.objects.filter(recipient_id__in=ids, created_at__gte=earliest_since, created_at__lt=now)
        .order_by("-created_at", "-id")
        .values_list("recipient_id", "title", "url", "created_at", "read_at")
    )
    for recipient_id, title, url, created_at, read_at in notes.iterator(chunk_size=5000):
        digest = digests[recipient_id]
        if created_at >= digest.since:
            digest.notifications.add({"title": title, "url": url, "read": read_at is not None})
    return digests


def _message(digest: Digest) -> EmailMultiAlternatives:
    with recipient_language(digest.user) as language:
        context = {
            "digest": digest,
            "user": digest.user,
            "site": settings.SITE_URL,
            "language": language,
            "dir": "rtl" if language_is_bidi(language) else "ltr",
            "settings_link": f"{settings.SITE_URL}{reverse('notifications:settings')}",
        }
        subject = _("Your day, %(date)s: %(tasks)s tasks due, %(renewals)s renewals, %(drops)s health drops") % {
            "date": digest.local_date.isoformat(),
            "tasks": digest.tasks.total,
            "renewals": digest.renewals.total,
            "drops": digest.health.total,
        }
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string("notifications/email/digest.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[digest.user.email],
        )
        message.attach_alternative(render_to_string("notifications/email/digest.html", context), "text/html")
    return message


def digests_send(*, now: datetime | None = None, batch: int = 200) -> DigestRun:
    """Send every due digest (see the module docstring); safe to run twice at once."""
    now = now or timezone.now()
    run = DigestRun()
    due = users_due_digest(now=now)
    for chunk in chunked(due, size=batch):
        logs = _claim(list(chunk), now)
        run.claimed += len(logs)
        users = {user.pk: user for user, _ in chunk}
        digests = digest_contents(logs=logs, users=users, now=now)
        messages, sent_ids, counts = [], [], {}
        for user_id, digest in digests.items():
            counts[user_id] = digest.items
            if digest.items == 0:
                run.empty += 1
                continue
            messages.append(_message(digest))
            sent_ids.append(user_id)
        if messages:
            with get_connection() as mail:
                mail.send_messages(messages)
        run.sent += len(messages)
        for log in logs.values():
            log.items = counts.get(log.user_id, 0)
            log.sent_at = now if log.user_id in sent_ids else None
        DigestLog.objects.bulk_update(list(logs.values()), ["items", "sent_at"])
    return run
