"""The four kinds of notification, each from the news a lower floor sends: who hears of it, the
dedupe key, and the words (in the recipient's language). Set-based: a batch of tasks or a whole
sweep of renewals costs a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Account, Activity
from core.languages import supported_language
from core.models import User
from playbooks.models import Task

from ..choices import NotificationKind
from .feed import NotificationDraft, notifications_create

__all__ = [
    "account_is_key",
    "key_account_red_notify",
    "key_accounts_q",
    "mentions_notify",
    "renewals_notify",
    "tasks_assigned_notify",
    "url_maker",
    "user_language",
]


def url_maker(name: str):
    """`reverse(name, args=[pk])` for many pks at the cost of one reverse (a sweep makes thousands)."""
    marker = 987654321
    template = reverse(name, args=[marker])
    return lambda pk: template.replace(str(marker), str(int(pk)))


def user_language(code: str | None) -> str:
    """The language a user's notifications and digest are written in."""
    return supported_language(code, default=settings.LANGUAGE_CODE)


def tasks_assigned_notify(*, task_ids: Iterable[int], actor_id: int | None = None) -> list[int]:
    """ "Task assigned" for each task's assignee, unless they assigned it to themselves. One
    notification per task and assignee (a task handed back and forth tells each person once)."""
    tasks = (
        Task.objects.filter(pk__in=list(task_ids), assignee__isnull=False, assignee__is_active=True)
        .exclude(assignee_id=actor_id)
        .select_related("account", "assignee")
        .only("pk", "title", "due_date", "account__name", "assignee__language", "account_id", "assignee_id")
    )
    drafts = []
    for task in tasks:
        assignee = task.assignee
        if assignee is None:  # filtered out above; for the type checker
            continue
        with translation.override(user_language(assignee.language)):
            drafts.append(
                NotificationDraft(
                    recipient_id=assignee.pk,
                    kind=NotificationKind.TASK_ASSIGNED,
                    key=f"task:{task.pk}",
                    title=_("Task assigned: %(title)s") % {"title": task.title},
                    body=_("%(account)s · due %(due)s")
                    % {"account": task.account.name, "due": date_format(task.due_date, "SHORT_DATE_FORMAT")},
                    url=reverse("playbooks:task_detail", args=[task.pk]),
                    account_id=task.account_id,
                    actor_id=actor_id,
                )
            )
    return notifications_create(drafts=drafts)


def mentions_notify(*, activity_id: int, author_id: int | None, user_ids: Iterable[int]) -> list[int]:
    """ "Mentioned you" for each active user named in a timeline entry, except its author."""
    user_ids = set(user_ids) - {author_id}
    if not user_ids:
        return []
    activity = Activity.objects.select_related("account", "author").filter(pk=activity_id).first()
    if activity is None:
        return []
    author = str(activity.author) if activity.author else ""
    excerpt = Truncator(activity.body or activity.subject).chars(280)
    url = reverse("accounts:detail", args=[activity.account_id]) + "#timeline"
    drafts = []
    for user_id, language in User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", "language"):
        with translation.override(user_language(language)):
            drafts.append(
                NotificationDraft(
                    recipient_id=user_id,
                    kind=NotificationKind.MENTION,
                    key=f"mention:{activity.pk}",
                    title=_("%(author)s mentioned you on %(account)s")
                    % {"author": author, "account": activity.account.name},
                    body=excerpt,
                    url=url,
                    account_id=activity.account_id,
                    actor_id=author_id,
                )
            )
    return notifications_create(drafts=drafts)


def key_accounts_q() -> Q:
    """Accounts that count as key (settings: tiers, or ARR at least the amount)."""
    min_mrr = Decimal(settings.NOTIFICATIONS_KEY_ACCOUNT_MIN_ARR) / 12
    return Q(tier__in=settings.NOTIFICATIONS_KEY_ACCOUNT_TIERS) | Q(mrr__gte=min_mrr)


def account_is_key(account: Account) -> bool:
    min_arr = Decimal(settings.NOTIFICATIONS_KEY_ACCOUNT_MIN_ARR)
    return account.tier in settings.NOTIFICATIONS_KEY_ACCOUNT_TIERS or account.mrr * 12 >= min_arr


def _watchers(account: Account) -> list[User]:
    """Who hears about an account: its owner (active)."""
    owner = account.owner
    return [owner] if owner is not None and owner.is_active else []


def key_account_red_notify(
    *, account_id: int, day: date, old_score: int | None = None, new_score: int | None = None
) -> list[int]:
    """A key account's health turned red: its owner hears once per account and day."""
    account = Account.objects.select_related("owner").filter(pk=account_id).first()
    if account is None or not account_is_key(account):
        return []
    drafts = []
    for user in _watchers(account):
        with translation.override(user_language(user.language)):
            drafts.append(
                NotificationDraft(
                    recipient_id=user.pk,
                    kind=NotificationKind.KEY_ACCOUNT_RED,
                    key=f"red:{account.pk}:{day.isoformat()}",
                    title=_("%(account)s turned red") % {"account": account.name},
                    body=_("Health %(old)s → %(new)s")
                    % {"old": "—" if old_score is None else old_score, "new": "—" if new_score is None else new_score},
                    url=reverse("accounts:detail", args=[account.pk]),
                    account_id=account.pk,
                )
            )
    return notifications_create(drafts=drafts)


def renewals_notify(*, today: date | None = None) -> list[int]:
    """Every account renewing within NOTIFICATIONS_RENEWAL_DAYS tells its owner, once per account
    and renewal date (a repeated sweep adds nothing; a new renewal date tells them again). Two
    queries, then the inserts in chunks."""
    today = today or timezone.now().date()
    horizon = today + timedelta(days=settings.NOTIFICATIONS_RENEWAL_DAYS)
    rows = list(
        Account.objects.filter(
            renewal_date__gte=today, renewal_date__lte=horizon, owner__isnull=False, owner__is_active=True
        ).values_list("pk", "name", "renewal_date", "owner_id", "owner__language")
    )
    account_url = url_maker("accounts:detail")
    drafts = []
    for account_id, name, renewal_date, owner_id, language in rows:
        if renewal_date is None:  # filtered out above; for the type checker
            continue
        days = (renewal_date - today).days
        with translation.override(user_language(language)):
            drafts.append(
                NotificationDraft(
                    recipient_id=owner_id,
                    kind=NotificationKind.RENEWAL_DUE,
                    key=f"renewal:{account_id}:{renewal_date.isoformat()}",
                    title=ngettext("%(account)s renews in %(days)s day", "%(account)s renews in %(days)s days", days)
                    % {"account": name, "days": days},
                    body=_("Renewal date %(day)s") % {"day": date_format(renewal_date, "SHORT_DATE_FORMAT")},
                    url=account_url(account_id),
                    account_id=account_id,
                )
            )
    return notifications_create(drafts=drafts)
